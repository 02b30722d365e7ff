package dev.pluginhost.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Int64Value;
import io.grpc.Status;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class PluginProxyTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(3);
  private static final byte[] NOT_A_MESSAGE = {0};

  /** What the tests' plugin offers, in every shape a proxy supports. */
  public interface Squares {
    Int64Value square(Int64Value n);

    @PluginFunction("square")
    ListenableFuture<Int64Value> squareLater(Int64Value n);

    @PluginFunction("square")
    CompletableFuture<Int64Value> squareCompletable(Int64Value n);

    String greet(String name);

    byte[] echo(byte[] bytes);

    /** No parameter: the function gets empty input. */
    String served();

    void reset();

    @PluginFunction("reset")
    ListenableFuture<Void> resetLater();

    @PluginFunction("garble")
    Int64Value garbled(Int64Value n);

    default long squareOf(long n) {
      return square(Int64Value.of(n)).getValue();
    }
  }

  private final FakePluginHandle plugin =
      new FakePluginHandle("squares")
          .answer("square", input -> Int64Value.of(parse(input) * parse(input)).toByteArray())
          .answer("greet", input -> ("Hello, " + utf8(input) + "!").getBytes(StandardCharsets.UTF_8))
          .answer("echo", input -> input)
          .answer("served", input -> ("served " + input.length).getBytes(StandardCharsets.UTF_8))
          .answer("reset", input -> NOT_A_MESSAGE)
          .answer("garble", input -> NOT_A_MESSAGE);

  private final Squares squares = plugin.proxy(Squares.class, TIMEOUT);

  // --- calls ------------------------------------------------------------------------------------

  @Test
  void protoMethod_callsTheFunctionOfItsName_andParsesTheReply() {
    assertEquals(Int64Value.of(49), squares.square(Int64Value.of(7)));
    assertEquals("square", plugin.lastCall().function());
    assertEquals(TIMEOUT, plugin.lastCall().timeout());
  }

  @Test
  void textAndBytesMethods_sendTheirArgumentAsUtf8AndAsIs() {
    assertEquals("Hello, world!", squares.greet("world"));
    assertArrayEquals(new byte[] {1, 2, 3}, squares.echo(new byte[] {1, 2, 3}));
  }

  @Test
  void methodWithoutParameter_sendsEmptyInput() {
    assertEquals("served 0", squares.served());
    assertArrayEquals(new byte[0], plugin.lastCall().input());
  }

  @Test
  void pluginFunctionAnnotation_namesTheFunctionCalled() {
    squares.squareLater(Int64Value.of(2));

    assertEquals("square", plugin.lastCall().function());
  }

  @Test
  void voidMethod_callsTheFunction_andIgnoresItsReply() {
    squares.reset();

    assertEquals("reset", plugin.lastCall().function());
  }

  @Test
  void defaultMethod_runsAsWritten() {
    assertEquals(81, squares.squareOf(9));
    assertEquals("square", plugin.lastCall().function());
  }

  // --- asynchronous methods ---------------------------------------------------------------------

  @Test
  void listenableFutureMethod_returnsAtOnce_andCompletesWithTheParsedReply() throws Exception {
    SettableFuture<byte[]> reply = plugin.hold("square");

    ListenableFuture<Int64Value> result = squares.squareLater(Int64Value.of(5));

    assertFalse(result.isDone());
    reply.set(Int64Value.of(25).toByteArray());
    assertEquals(Int64Value.of(25), result.get());
  }

  @Test
  void completableFutureMethod_completesWithTheParsedReply() throws Exception {
    SettableFuture<byte[]> reply = plugin.hold("square");

    CompletableFuture<Int64Value> result = squares.squareCompletable(Int64Value.of(6));

    assertFalse(result.isDone());
    reply.set(Int64Value.of(36).toByteArray());
    assertEquals(Int64Value.of(36), result.get());
  }

  @Test
  void completableFutureMethod_cancelled_cancelsTheCall() {
    SettableFuture<byte[]> reply = plugin.hold("square");

    squares.squareCompletable(Int64Value.of(6)).cancel(false);

    assertTrue(reply.isCancelled());
  }

  @Test
  void completableFutureMethod_pluginFailure_completesItExceptionallyWithThePluginCallException() {
    PluginCallException thrown = plugin.thrown("square", "no");
    plugin.answer("square", input -> {
      throw thrown;
    });

    ExecutionException e = assertThrows(ExecutionException.class, () -> squares.squareCompletable(Int64Value.of(1)).get());
    assertSame(thrown, e.getCause());
  }

  @Test
  void futureOfVoidMethod_completesWithNull_whateverTheReply() throws Exception {
    assertNull(squares.resetLater().get());
  }

  // --- failures ---------------------------------------------------------------------------------

  @Test
  void pluginFailure_surfacesAsThePluginCallExceptionTheBytesCallThrows() {
    PluginCallException thrown = plugin.thrown("square", "no");
    plugin.answer("square", input -> {
      throw thrown;
    });

    assertSame(thrown, assertThrows(PluginCallException.class, () -> squares.square(Int64Value.of(1))));
  }

  @Test
  void replyThatDoesNotParse_failsWithInternal_namingPluginFunctionAndType() {
    PluginCallException e = assertThrows(PluginCallException.class, () -> squares.garbled(Int64Value.of(1)));

    assertEquals(Status.Code.INTERNAL, e.code());
    assertEquals("garble", e.function());
    assertTrue(e.getMessage().contains("plugin squares's reply to garble"), e.getMessage());
    assertTrue(e.getMessage().contains("com.google.protobuf.Int64Value"), e.getMessage());
  }

  @Test
  void nullArgument_throwsNullPointer_namingTheMethod() {
    NullPointerException e = assertThrows(NullPointerException.class, () -> squares.greet(null));

    assertTrue(e.getMessage().contains("Squares.greet(String)"), e.getMessage());
  }

  // --- Object's methods -------------------------------------------------------------------------

  @Test
  void equalsAndHashCode_areIdentity() {
    Squares other = plugin.proxy(Squares.class, TIMEOUT);

    assertEquals(squares, squares);
    assertNotEquals(squares, other);
    assertEquals(System.identityHashCode(squares), squares.hashCode());
    assertTrue(plugin.calls.isEmpty(), "no plugin function is called for them");
  }

  @Test
  void toString_namesTheInterfaceAndThePlugin() {
    assertEquals(
        "dev.pluginhost.host.PluginProxyTest$Squares proxy of plugin squares (calls time out after 3000 ms)",
        squares.toString());
  }

  // --- interfaces refused -----------------------------------------------------------------------

  /** A Java object the host must never deserialize from a plugin. */
  static final class Point implements Serializable {
    private static final long serialVersionUID = 1L;
  }

  interface TakesSerializable {
    String describe(Point point);
  }

  interface TakesTwo {
    String add(Int64Value a, Int64Value b);
  }

  interface ReturnsRawFuture {
    @SuppressWarnings("rawtypes")
    ListenableFuture square(Int64Value n);
  }

  interface ReturnsWildcardFuture {
    CompletableFuture<?> square(Int64Value n);
  }

  interface ReturnsPlainFuture {
    Future<Int64Value> square(Int64Value n);
  }

  interface ReturnsAList {
    List<String> names();
  }

  interface NamesNoFunction {
    @PluginFunction("")
    String greet(String name);
  }

  interface ManyWrongs {
    String fine(String name);

    int count(String name);

    String join(String a, String b);
  }

  @Test
  void serializableParameter_isRefused_sayingJavaSerializationIsNeverUsed() {
    String message = refusal(TakesSerializable.class);

    assertTrue(message.contains("TakesSerializable.describe(Point)"), message);
    assertTrue(message.contains("its parameter dev.pluginhost.host.PluginProxyTest$Point is not byte[], String or a protobuf message"), message);
    assertTrue(message.contains("never uses Java serialization"), message);
  }

  /** A generic interface whose methods the proxy cannot type. */
  public interface Transform<T> {
    T apply(T input);
  }

  /** Inherits {@code apply(T)}: to reflection its parameter and result are still T. */
  public interface StringTransform extends Transform<String> {}

  @Test
  void methodInheritedFromAGenericInterface_isRefused_namingTheTypeVariable() {
    String message = refusal(StringTransform.class);

    assertTrue(message.contains("its parameter is the type variable T, which the proxy cannot resolve"), message);
    assertTrue(!message.contains("serialization"), "not mistaken for a Java object: " + message);
  }

  @Test
  void twoParameters_areRefused_suggestingOneMessage() {
    assertTrue(refusal(TakesTwo.class).contains("TakesTwo.add(Int64Value, Int64Value): it takes 2 parameters"));
  }

  @Test
  void futureReturnTypes_mustSayWhatTheyCompleteWith() {
    assertTrue(refusal(ReturnsRawFuture.class).contains("it returns a raw ListenableFuture"));
    assertTrue(refusal(ReturnsWildcardFuture.class).contains("it returns a CompletableFuture<?>"));
    assertTrue(refusal(ReturnsPlainFuture.class).contains("returns ListenableFuture<T> or CompletableFuture<T>"));
  }

  @Test
  void returnTypeWithoutASchema_isRefused() {
    assertTrue(refusal(ReturnsAList.class).contains("its return type java.util.List is not byte[], String or a protobuf message"));
  }

  @Test
  void emptyPluginFunctionName_isRefused() {
    assertTrue(refusal(NamesNoFunction.class).contains("its @PluginFunction names no function"));
  }

  @Test
  void refusal_namesEveryOffendingMethod_andNoFineOne() {
    String message = refusal(ManyWrongs.class);

    assertTrue(message.startsWith(ManyWrongs.class.getName() + " cannot be a proxy of plugin squares: "), message);
    assertTrue(message.contains("ManyWrongs.count(String): its return type int"), message);
    assertTrue(message.contains("ManyWrongs.join(String, String): it takes 2 parameters"), message);
    assertFalse(message.contains("fine"), message);
  }

  interface HiddenWithDefault {
    String greet(String name);

    default String greetWorld() {
      return greet("world");
    }
  }

  interface HiddenWithoutDefault {
    String greet(String name);
  }

  @Test
  void defaultMethodOfANonPublicInterface_isRefused_askingForAPublicInterface() {
    String message = refusal(HiddenWithDefault.class);

    assertTrue(message.contains("HiddenWithDefault.greetWorld(): a default method runs only if its interface is public"), message);
  }

  @Test
  void nonPublicInterfaceWithoutDefaultMethods_works() {
    assertEquals("Hello, you!", plugin.proxy(HiddenWithoutDefault.class, TIMEOUT).greet("you"));
  }

  @Test
  void aClass_isRefused() {
    assertTrue(refusal(Object.class).contains("java.lang.Object is not an interface"));
  }

  @Test
  void nonPositiveTimeout_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> plugin.proxy(Squares.class, Duration.ZERO));
  }

  private String refusal(Class<?> iface) {
    return assertThrows(IllegalArgumentException.class, () -> plugin.proxy(iface, TIMEOUT)).getMessage();
  }

  private static long parse(byte[] input) {
    try {
      return Int64Value.parseFrom(input).getValue();
    } catch (InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static String utf8(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
