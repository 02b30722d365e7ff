package dev.pluginhost.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Int64Value;
import com.google.protobuf.StringValue;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class TypedFunctionTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final byte[] NOT_A_MESSAGE = {0};

  private final FakePluginHandle plugin =
      new FakePluginHandle("squares")
          .answer("square", input -> square(input).toByteArray())
          .answer("greet", input -> ("Hello, " + new String(input, StandardCharsets.UTF_8) + "!").getBytes(StandardCharsets.UTF_8))
          .answer("garble", input -> NOT_A_MESSAGE);

  private final TypedFunction<Int64Value, Int64Value> square =
      plugin.function("square", Codec.proto(Int64Value.class), Codec.proto(Int64Value.class));

  @Test
  void call_withProtoCodecs_sendsTheMessageAndParsesTheReply() {
    assertEquals(Int64Value.of(49), square.call(Int64Value.of(7), TIMEOUT));
    assertArrayEquals(Int64Value.of(7).toByteArray(), plugin.lastCall().input());
    assertEquals(TIMEOUT, plugin.lastCall().timeout());
  }

  @Test
  void call_withTextCodecs_sendsAndReadsUtf8() {
    TypedFunction<String, String> greet = plugin.function("greet", Codec.text(), Codec.text());

    assertEquals("Hello, Jürgen!", greet.call("Jürgen", TIMEOUT));
  }

  @Test
  void call_replyThatIsNotTheExpectedMessage_failsWithInternal_namingPluginFunctionAndType() {
    TypedFunction<Int64Value, StringValue> garble =
        plugin.function("garble", Codec.proto(Int64Value.class), Codec.proto(StringValue.class));

    PluginCallException e = assertThrows(PluginCallException.class, () -> garble.call(Int64Value.of(1), TIMEOUT));

    assertEquals(Status.Code.INTERNAL, e.code());
    assertEquals("squares", e.pluginId());
    assertEquals("garble", e.function());
    assertTrue(e.getMessage().contains("plugin squares's reply to garble (1 byte)"), e.getMessage());
    assertTrue(e.getMessage().contains("does not decode as com.google.protobuf.StringValue"), e.getMessage());
    assertInstanceOf(InvalidProtocolBufferException.class, e.getCause().getCause());
  }

  @Test
  void call_textReplyThatIsNotUtf8_failsWithInternal() {
    plugin.answer("binary", input -> new byte[] {(byte) 0xFF, (byte) 0xFE});

    PluginCallException e =
        assertThrows(PluginCallException.class, () -> plugin.function("binary", Codec.text(), Codec.text()).call("x", TIMEOUT));

    assertEquals(Status.Code.INTERNAL, e.code());
    assertTrue(e.getMessage().contains("does not decode as UTF-8 text"), e.getMessage());
  }

  @Test
  void call_thatThePluginFails_throwsTheBytesCallsExceptionAsItIs() {
    PluginCallException thrown = plugin.thrown("square", "no");
    plugin.answer("square", input -> {
      throw thrown;
    });

    assertSame(thrown, assertThrows(PluginCallException.class, () -> square.call(Int64Value.of(2), TIMEOUT)));
  }

  @Test
  void call_nullInput_throwsNullPointer_beforeCallingThePlugin() {
    assertThrows(NullPointerException.class, () -> square.call(null, TIMEOUT));
    assertTrue(plugin.calls.isEmpty());
  }

  @Test
  void callAsync_completesWithTheParsedReply_andPassesMetadataOn() throws Exception {
    SettableFuture<byte[]> reply = plugin.hold("square");

    ListenableFuture<Int64Value> result = square.callAsync(Int64Value.of(3), TIMEOUT, Map.of("tenant", "a"));

    assertFalse(result.isDone());
    assertEquals(Map.of("tenant", "a"), plugin.lastCall().metadata());
    reply.set(Int64Value.of(9).toByteArray());
    assertEquals(Int64Value.of(9), result.get());
  }

  @Test
  void callAsync_replyThatDoesNotDecode_failsTheFutureWithInternal() {
    SettableFuture<byte[]> reply = plugin.hold("square");
    ListenableFuture<Int64Value> result = square.callAsync(Int64Value.of(3), TIMEOUT);

    reply.set(NOT_A_MESSAGE);

    ExecutionException e = assertThrows(ExecutionException.class, result::get);
    assertEquals(Status.Code.INTERNAL, ((PluginCallException) e.getCause()).code());
  }

  @Test
  void callAsync_cancelled_cancelsTheCall() {
    SettableFuture<byte[]> reply = plugin.hold("square");

    square.callAsync(Int64Value.of(3), TIMEOUT).cancel(false);

    assertTrue(reply.isCancelled());
  }

  @Test
  void map_decodesEachReply_andAFailedOrUndecodableInputFailsAlone() {
    plugin.answer(
        "square",
        input -> {
          Int64Value n = parse(input);
          if (n.getValue() == 2) {
            throw plugin.thrown("square", "two is unlucky");
          }
          return n.getValue() == 3 ? NOT_A_MESSAGE : square(input).toByteArray();
        });

    List<TypedOutcome<Int64Value>> outcomes =
        square.map(List.of(Int64Value.of(1), Int64Value.of(2), Int64Value.of(3), Int64Value.of(4)), MapOptions.timeout(TIMEOUT));

    assertEquals(Int64Value.of(1), outcomes.get(0).value());
    assertEquals(Status.Code.UNKNOWN, outcomes.get(1).error().orElseThrow().code());
    assertEquals(Status.Code.INTERNAL, outcomes.get(2).error().orElseThrow().code());
    assertEquals(Int64Value.of(16), outcomes.get(3).value());
    assertThrows(PluginCallException.class, () -> outcomes.get(2).value());
  }

  @Test
  void mapAsync_completesWithOneDecodedOutcomePerInput() throws Exception {
    List<TypedOutcome<Int64Value>> outcomes =
        square.mapAsync(List.of(Int64Value.of(5), Int64Value.of(6)), MapOptions.timeout(TIMEOUT)).get();

    assertEquals(List.of(Int64Value.of(25), Int64Value.of(36)), outcomes.stream().map(TypedOutcome::value).toList());
  }

  @Test
  void protoCallOnTheHandle_sendsAMessageAndParsesTheReplyAsTheGivenClass() {
    assertEquals(Int64Value.of(64), plugin.call("square", Int64Value.of(8), Int64Value.class, TIMEOUT));
  }

  @Test
  void protoCallOnTheHandle_replyThatDoesNotParse_failsWithInternal() {
    PluginCallException e =
        assertThrows(PluginCallException.class, () -> plugin.call("garble", Int64Value.of(8), Int64Value.class, TIMEOUT));

    assertEquals(Status.Code.INTERNAL, e.code());
  }

  @Test
  void toString_namesPluginFunctionAndTypes() {
    assertEquals("squares.square(com.google.protobuf.Int64Value) -> com.google.protobuf.Int64Value", square.toString());
  }

  private static Int64Value square(byte[] input) {
    long n = parse(input).getValue();
    return Int64Value.of(n * n);
  }

  private static Int64Value parse(byte[] input) {
    try {
      return Int64Value.parseFrom(input);
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }
}
