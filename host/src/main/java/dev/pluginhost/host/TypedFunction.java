package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One function of a plugin, called with values instead of bytes: its input encoded and its reply
 * decoded by {@link Codec}s. Made by {@link PluginHandle#function}; cheap, immutable and
 * thread-safe, and valid as long as its handle is, across restarts of the plugin.
 *
 * <pre>{@code
 * TypedFunction<Num, Num> square = plugin.function("square", Codec.proto(Num.class), Codec.proto(Num.class));
 * Num nine = square.call(three, Duration.ofSeconds(2));
 * }</pre>
 *
 * <p>Each method behaves as the bytes method of the same name on {@link PluginHandle} does, and
 * fails with the same {@link PluginCallException}s. Inputs are encoded on the calling thread
 * before anything is sent; an exception from encoding is thrown as it is. One failure more: a reply
 * the reply codec cannot decode fails the call with <b>INTERNAL</b>, and a message naming the
 * plugin, the function and the type expected, with the codec's exception as the cause. By the
 * litmus test: the call reached the plugin and was answered, so it is not UNAVAILABLE (a retry
 * would most likely get the same answer, and the plugin may have acted on the call); no state an
 * operator can reset is at fault, so not FAILED_PRECONDITION; the transport lost nothing, so not
 * DATA_LOSS. What broke is an invariant the caller relies on, that the function replies with the
 * type it expects: INTERNAL, as gRPC itself reports a response message that does not parse. It
 * usually means the plugin and its caller were built against different versions of a message, or
 * name the wrong function.
 *
 * @param <I> the input's type
 * @param <O> the reply's type
 */
public final class TypedFunction<I, O> {
  private final PluginHandle plugin;
  private final String name;
  private final Codec<I> inputCodec;
  private final Codec<O> replyCodec;

  TypedFunction(PluginHandle plugin, String name, Codec<I> inputCodec, Codec<O> replyCodec) {
    this.plugin = checkNotNull(plugin, "plugin");
    this.name = checkNotNull(name, "name");
    this.inputCodec = checkNotNull(inputCodec, "inputCodec");
    this.replyCodec = checkNotNull(replyCodec, "replyCodec");
  }

  /** The plugin this function belongs to. */
  public PluginHandle plugin() {
    return plugin;
  }

  /** The function's name, as the plugin registered it. */
  public String name() {
    return name;
  }

  public Codec<I> inputCodec() {
    return inputCodec;
  }

  public Codec<O> replyCodec() {
    return replyCodec;
  }

  /**
   * Calls the function and waits for its decoded reply; decodes on the calling thread. See {@link
   * PluginHandle#call(String, byte[], Duration)}.
   *
   * @throws NullPointerException if {@code input} is null
   * @throws PluginCallException whenever the call did not produce a result, or its reply did not
   *     decode (INTERNAL)
   */
  public O call(I input, Duration timeout) {
    return decode(plugin.call(name, encode(input), timeout));
  }

  /** {@link #callAsync(Object, Duration, Map)} without metadata. */
  public ListenableFuture<O> callAsync(I input, Duration timeout) {
    return callAsync(input, timeout, Map.of());
  }

  /**
   * Calls the function without waiting. The future fails with a {@link PluginCallException};
   * cancelling it cancels the call in the plugin. The reply is decoded on the thread that
   * completes the call, usually one of the host's I/O threads, as {@link PluginHandle#callAsync}
   * explains; decoding a message costs about what copying its bytes did.
   *
   * @throws NullPointerException if {@code input} is null (thrown, not put in the future)
   */
  public ListenableFuture<O> callAsync(I input, Duration timeout, Map<String, String> metadata) {
    return Futures.transform(plugin.callAsync(name, encode(input), timeout, metadata), this::decode, directExecutor());
  }

  /**
   * Calls the function once per input across the plugin's processes and returns one outcome per
   * input, in input order, as {@link PluginHandle#map} does. A reply that does not decode fails
   * its own input only, with INTERNAL. Decodes on the calling thread.
   *
   * @throws NullPointerException if {@code inputs} or one of them is null
   */
  public List<TypedOutcome<O>> map(List<? extends I> inputs, MapOptions options) {
    return decodeAll(plugin.map(name, encodeAll(inputs), options));
  }

  /**
   * {@link #map} without waiting; cancelling the future cancels the chunks in flight. Decodes on
   * the thread that completes the map, as {@link #callAsync} does.
   */
  public ListenableFuture<List<TypedOutcome<O>>> mapAsync(List<? extends I> inputs, MapOptions options) {
    return Futures.transform(plugin.mapAsync(name, encodeAll(inputs), options), this::decodeAll, directExecutor());
  }

  @Override
  public String toString() {
    return plugin.id() + "." + name + "(" + inputCodec.typeName() + ") -> " + replyCodec.typeName();
  }

  private byte[] encode(I input) {
    return inputCodec.encode(checkNotNull(input, "input"));
  }

  private List<byte[]> encodeAll(List<? extends I> inputs) {
    checkNotNull(inputs, "inputs");
    List<byte[]> encoded = new ArrayList<>(inputs.size());
    for (int i = 0; i < inputs.size(); i++) {
      encoded.add(inputCodec.encode(checkNotNull(inputs.get(i), "inputs[%s]", i)));
    }
    return encoded;
  }

  private O decode(byte[] reply) {
    try {
      return checkNotNull(replyCodec.decode(reply), "%s decoded a reply as null", replyCodec);
    } catch (RuntimeException e) {
      throw unreadableReply(reply, e);
    }
  }

  private List<TypedOutcome<O>> decodeAll(List<CallOutcome> outcomes) {
    List<TypedOutcome<O>> decoded = new ArrayList<>(outcomes.size());
    for (CallOutcome outcome : outcomes) {
      if (!outcome.succeeded()) {
        decoded.add(TypedOutcome.failure(outcome.error().orElseThrow()));
        continue;
      }
      try {
        decoded.add(TypedOutcome.success(decode(outcome.value())));
      } catch (PluginCallException e) {
        decoded.add(TypedOutcome.failure(e));
      }
    }
    return decoded;
  }

  private PluginCallException unreadableReply(byte[] reply, RuntimeException e) {
    String why = e.getMessage() != null ? e.getMessage() : e.toString();
    return new PluginCallException(
        Status.Code.INTERNAL,
        plugin.id(),
        name,
        -1,
        "plugin " + plugin.id() + "'s reply to " + name + " (" + reply.length + (reply.length == 1 ? " byte" : " bytes")
            + ") does not decode as " + replyCodec.typeName() + " (" + why
            + "); the plugin and its caller disagree on the function's reply type",
        null,
        null,
        e);
  }
}
