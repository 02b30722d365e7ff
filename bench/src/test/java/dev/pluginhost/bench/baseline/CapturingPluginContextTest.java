package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapturingPluginContextTest {
  private final CapturingPluginContext context = new CapturingPluginContext("p", "1.0", Path.of("/data"));

  @Test
  void registerText_isCalledWithUtf8Bytes_likeTheRunnerCallsIt() throws Exception {
    context.registerText("upper", (call, input) -> input.toUpperCase(java.util.Locale.ROOT) + "é");

    byte[] answer = context.unaryFunctions().get("upper").apply(new FixedCallContext("upper"), "ab".getBytes(StandardCharsets.UTF_8));

    assertArrayEquals("ABé".getBytes(StandardCharsets.UTF_8), answer);
  }

  @Test
  void registerText_aNullAnswer_isEmptyBytes() throws Exception {
    context.registerText("nothing", (call, input) -> null);

    assertArrayEquals(new byte[0], context.unaryFunctions().get("nothing").apply(new FixedCallContext("nothing"), new byte[0]));
  }

  @Test
  void register_aNameTwice_throwsIllegalArgument() {
    context.register("f", (call, input) -> input);

    assertThrows(IllegalArgumentException.class, () -> context.registerText("f", (call, input) -> input));
  }

  @Test
  void register_afterSeal_throwsIllegalState() {
    context.seal();

    assertThrows(IllegalStateException.class, () -> context.register("f", (call, input) -> input));
  }

  @Test
  void names_includeStreamingFunctions_butOnlyUnaryOnesAreCallable() {
    context.register("f", (call, input) -> input);
    context.registerStreaming("s", (call, pipe) -> {});

    assertEquals(Set.of("f", "s"), context.names());
    assertEquals(Set.of("f"), context.unaryFunctions().keySet());
  }
}
