package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import dev.pluginhost.host.Codec;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginFunction;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.TypedOutcome;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Typed calls over a real plugin JVM: values in and out, and a reply of the wrong type refused. */
class TypedCallsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  /** The hello sample as an embedder would describe it. */
  public interface Hello {
    String greet(String name);

    @PluginFunction("greet")
    CompletableFuture<String> greetLater(String name);

    /** {@code echo} hands back its bytes, so a message comes back as it went. */
    @PluginFunction("echo")
    StringValue echoMessage(StringValue message);

    /** No input: the function gets empty bytes. Answers the process's pid. */
    String pid();

    String fail(String message);

    /** What greet replies is text, not this message. */
    @PluginFunction("greet")
    Int64Value greetAsNumber(String name);

    default String greetEveryone() {
      return greet("everyone");
    }
  }

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle plugin;
  private static Hello hello;

  @BeforeAll
  static void start() throws Exception {
    running = RunningHost.start(tempDir, "hello");
    plugin = running.plugin("hello");
    hello = plugin.proxy(Hello.class, TIMEOUT);
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void proxy_callsThePluginsFunctions_withTextAndMessages() throws Exception {
    assertEquals("Hello, world!", hello.greet("world"));
    assertEquals("Hello, later!", hello.greetLater("later").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
    assertEquals(StringValue.of("über"), hello.echoMessage(StringValue.of("über")));
    // Its pid in its own namespace when sandboxed: a number, whichever.
    assertTrue(Long.parseLong(hello.pid()) > 0);
    assertEquals("Hello, everyone!", hello.greetEveryone());
  }

  @Test
  void proxy_functionThatThrows_failsWithThePluginsError() {
    PluginCallException e = assertThrows(PluginCallException.class, () -> hello.fail("on purpose"));

    assertEquals(Status.Code.UNKNOWN, e.code());
    assertEquals("java.lang.IllegalStateException", e.remoteExceptionClass().orElseThrow());
  }

  @Test
  void proxy_replyThatIsNotTheExpectedMessage_failsWithInternal_andThePluginServesOn() {
    PluginCallException e = assertThrows(PluginCallException.class, () -> hello.greetAsNumber("world"));

    assertEquals(Status.Code.INTERNAL, e.code());
    assertEquals("hello", e.pluginId());
    assertEquals("greet", e.function());
    assertTrue(e.getMessage().contains("does not decode as com.google.protobuf.Int64Value"), e.getMessage());
    assertEquals("Hello, again!", hello.greet("again"));
  }

  @Test
  void typedMap_decodesEachInputsReply() {
    List<TypedOutcome<StringValue>> outcomes =
        plugin
            .function("echo", Codec.proto(StringValue.class), Codec.proto(StringValue.class))
            .map(List.of(StringValue.of("a"), StringValue.of("b")), MapOptions.timeout(TIMEOUT));

    assertEquals(List.of(StringValue.of("a"), StringValue.of("b")), outcomes.stream().map(TypedOutcome::value).toList());
  }
}
