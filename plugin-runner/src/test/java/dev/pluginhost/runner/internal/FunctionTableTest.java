package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.proto.runner.v1.FunctionInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

class FunctionTableTest {
  private static final UnaryFunction ECHO = (call, input) -> input;
  private static final StreamingFunction DRAIN = (call, pipe) -> {};

  private final FunctionTable table = new FunctionTable();

  @Test
  void registered_functions_areFoundByKind() {
    table.addUnary("echo", ECHO);
    table.addStreaming("drain", DRAIN);

    assertSame(ECHO, table.unary("echo"));
    assertSame(DRAIN, table.streaming("drain"));
    assertNull(table.streaming("echo"));
    assertNull(table.unary("drain"));
    assertNull(table.unary("absent"));
  }

  @Test
  void duplicateName_acrossKinds_isRejected() {
    table.addUnary("same", ECHO);

    IllegalArgumentException unary = assertThrows(IllegalArgumentException.class, () -> table.addUnary("same", ECHO));
    IllegalArgumentException streaming =
        assertThrows(IllegalArgumentException.class, () -> table.addStreaming("same", DRAIN));

    assertEquals("function 'same' is already registered", unary.getMessage());
    assertEquals("function 'same' is already registered", streaming.getMessage());
    assertSame(ECHO, table.unary("same"));
  }

  @Test
  void emptyNullOrTooLongName_isRejected() {
    IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> table.addUnary("", ECHO));
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> table.addUnary(null, ECHO));
    String tooLong = "n".repeat(FunctionTable.MAX_NAME_LENGTH + 1);
    assertThrows(IllegalArgumentException.class, () -> table.addStreaming(tooLong, DRAIN));

    assertEquals("a function name must have 1 to 128 characters: ''", empty.getMessage());
    assertEquals("a function name must have 1 to 128 characters: 'null'", missing.getMessage());
    assertEquals(List.of(), table.describe());
  }

  @Test
  void nameOfMaxLength_isAccepted() {
    String longest = "n".repeat(FunctionTable.MAX_NAME_LENGTH);

    table.addUnary(longest, ECHO);

    assertSame(ECHO, table.unary(longest));
  }

  @Test
  void nullFunction_isRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> table.addUnary("f", null));

    assertEquals("function 'f' is null", e.getMessage());
  }

  @Test
  void add_afterFreeze_failsWithIllegalState() {
    table.addUnary("before", ECHO);
    table.freeze();

    IllegalStateException unary = assertThrows(IllegalStateException.class, () -> table.addUnary("after", ECHO));
    assertThrows(IllegalStateException.class, () -> table.addStreaming("after", DRAIN));

    assertEquals("functions can only be registered during Plugin.start", unary.getMessage());
    assertNull(table.unary("after"));
    assertSame(ECHO, table.unary("before"));
  }

  @Test
  void describe_isSortedByName_withKinds() {
    table.addUnary("zeta", ECHO);
    table.addStreaming("alpha", DRAIN);
    table.addUnary("mid", ECHO);

    assertEquals(
        List.of(
            info("alpha", FunctionInfo.Kind.STREAMING),
            info("mid", FunctionInfo.Kind.UNARY),
            info("zeta", FunctionInfo.Kind.UNARY)),
        table.describe());
    assertEquals("alpha, mid, zeta", table.names());
  }

  @Test
  void names_whenEmpty_saysNone() {
    assertEquals("(none)", table.names());
  }

  private static FunctionInfo info(String name, FunctionInfo.Kind kind) {
    return FunctionInfo.newBuilder().setName(name).setKind(kind).build();
  }

  @Test
  void aUnaryFunctionDeclaredNonBlocking_isKnownAsSuch_andOthersAreNot() {
    FunctionTable table = new FunctionTable();
    table.addUnary("fast", (call, input) -> input, FunctionOption.NON_BLOCKING);
    table.addUnary("plain", (call, input) -> input, FunctionOption.IDEMPOTENT);

    assertTrue(table.nonBlocking("fast"));
    assertFalse(table.nonBlocking("plain"));
    assertFalse(table.nonBlocking("missing"));
  }

  @Test
  void aStreamingFunctionDeclaredNonBlocking_isRefused_becauseItWaitsOnItsPipe() {
    FunctionTable table = new FunctionTable();

    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> table.addStreaming("stream", (call, pipe) -> {}, FunctionOption.NON_BLOCKING));

    assertTrue(refused.getMessage().contains("cannot be NON_BLOCKING"), refused.getMessage());
    assertNull(table.streaming("stream"));
  }
}
