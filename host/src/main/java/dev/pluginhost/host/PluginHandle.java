package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.MessageLite;
import dev.pluginhost.host.internal.CallFutures;
import dev.pluginhost.host.internal.typed.PluginProxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * One plugin of a {@link PluginHost}: the way to call it and watch it. A handle stays valid for
 * the host's whole life, across any number of restarts of the plugin's process.
 *
 * <p>All methods are thread-safe. Every call has a deadline, given as a timeout from now; no call
 * waits past it. A call made while the plugin is starting or restarting waits for it, within that
 * deadline. A call in flight when the process dies fails at once with UNAVAILABLE and the death's
 * reason; it is not retried, because the host cannot know whether the plugin acted on it.
 */
public interface PluginHandle {

  /** The plugin's id, from its descriptor. */
  String id();

  /** The plugin's version, from its descriptor. */
  String version();

  /** The plugin's state now. */
  PluginState state();

  /** The process serving the plugin now, if one is. */
  OptionalLong pid();

  /** How many times the plugin's process has been restarted since the host started. */
  int restartCount();

  /** How the most recent process of this plugin ended, if one has. */
  Optional<ProcessDeath> lastDeath();

  /**
   * Each process of the plugin now: serving, starting, draining or held as a spare, with its
   * resident memory. Reads each process tree's memory from {@code /proc} as it is called (a file
   * per process): cheap, but meant for status pages and scrapes, not for every call.
   */
  List<ProcessInfo> processes();

  /**
   * The plugin's crash history: how its last processes died, oldest first, at most 20. Only
   * deaths the host did not plan are listed: processes it stopped or replaced on purpose
   * (recycled, restarted, disabled, stopped) are not; {@link #lastDeath()} includes those.
   */
  List<ProcessDeath> deaths();

  /**
   * The names of the functions the plugin registered when it last started; empty before the
   * first start.
   */
  List<String> functions();

  /**
   * Calls a unary function and waits for its result.
   *
   * @param timeout how long the caller will wait; also the deadline the plugin sees
   * @throws PluginCallException whenever the call did not produce a result
   */
  default byte[] call(String function, byte[] input, Duration timeout) {
    return CallFutures.await(callAsync(function, input, timeout));
  }

  /** {@link #call} with text, encoded as UTF-8 both ways. */
  default String callText(String function, String input, Duration timeout) {
    return new String(
        call(function, input.getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8);
  }

  /**
   * Calls a unary function without waiting. The future fails with a {@link PluginCallException};
   * cancelling it cancels the call in the plugin.
   *
   * <p>The future usually completes on one of the host's I/O threads, which serve every plugin's
   * socket. A listener added with {@code directExecutor()} runs there and must be short and never
   * block; give work that may block an executor of its own.
   */
  default ListenableFuture<byte[]> callAsync(String function, byte[] input, Duration timeout) {
    return callAsync(function, input, timeout, Map.of());
  }

  /**
   * {@link #callAsync(String, byte[], Duration)} with metadata the plugin's function sees in its
   * {@code CallContext} (a request id, a tenant, a trace id).
   */
  ListenableFuture<byte[]> callAsync(
      String function, byte[] input, Duration timeout, Map<String, String> metadata);

  /**
   * Opens a two-way stream with a streaming function. Returns once the plugin is serving (waiting
   * for a restart if need be, within {@code timeout}); the stream's deadline is {@code timeout}
   * from now.
   *
   * @throws PluginCallException if the plugin cannot be reached in time or is stopped
   */
  default PluginPipe openPipe(String function, Duration timeout) {
    return openPipe(function, timeout, Map.of());
  }

  /** {@link #openPipe(String, Duration)} with metadata the plugin's function sees. */
  PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata);

  /**
   * Calls {@code function} once per input across the plugin's processes, like Python's
   * {@code Pool.map}, and returns one outcome per input, in input order. Never throws for one
   * input's failure: each input ends with its result or its typed error, including when a process
   * dies in the middle (idempotent chunks are retried elsewhere; others fail with UNAVAILABLE).
   * Returns by the options' timeout.
   */
  List<CallOutcome> map(String function, List<byte[]> inputs, MapOptions options);

  /**
   * {@link #map} without waiting; cancelling the future cancels the chunks in flight. Like {@link
   * #callAsync}'s, the future usually completes on one of the host's I/O threads.
   */
  ListenableFuture<List<CallOutcome>> mapAsync(String function, List<byte[]> inputs, MapOptions options);

  /**
   * {@link #map} that hands out each outcome as soon as it is in, tagged with its input's index,
   * like Python's {@code Pool.imap_unordered}. {@code next()} waits, never past the options'
   * timeout; it then throws a PluginCallException with DEADLINE_EXCEEDED.
   */
  Iterator<MapResult> mapUnordered(String function, List<byte[]> inputs, MapOptions options);

  /**
   * One of the plugin's functions, called with values that {@code input} encodes and replies that
   * {@code reply} decodes, instead of bytes. Cheap: makes no call, and does not check the plugin
   * has the function (a call to one it lacks fails with UNIMPLEMENTED). See {@link TypedFunction}
   * for the one failure it adds, a reply that does not decode (INTERNAL).
   *
   * <pre>{@code
   * Num nine = plugin.function("square", Codec.proto(Num.class), Codec.proto(Num.class)).call(three, timeout);
   * }</pre>
   */
  default <I, O> TypedFunction<I, O> function(String name, Codec<I> input, Codec<O> reply) {
    return new TypedFunction<>(this, checkNotNull(name, "name"), input, reply);
  }

  /**
   * {@link #call(String, byte[], Duration)} with protobuf messages both ways: sends {@code input}
   * in the wire format and parses the reply as a {@code replyType}, through the message's own
   * parser.
   *
   * @throws IllegalArgumentException if {@code replyType} is not a generated message class
   * @throws PluginCallException whenever the call did not produce a result, or with INTERNAL when
   *     the reply is not a {@code replyType}
   */
  default <O extends MessageLite> O call(String function, MessageLite input, Class<O> replyType, Duration timeout) {
    return function(function, Codec.bytes(), Codec.proto(replyType))
        .call(checkNotNull(input, "input").toByteArray(), timeout);
  }

  /**
   * An implementation of {@code iface} whose abstract methods call the plugin's functions, each
   * call with {@code timeout} from when it is made. A method calls the function of its own name,
   * or the one its {@link PluginFunction} annotation names.
   *
   * <pre>{@code
   * interface Greeter {
   *   String greet(String name);
   *   ListenableFuture<Num> square(Num n);
   * }
   * Greeter greeter = plugin.proxy(Greeter.class, Duration.ofSeconds(2));
   * }</pre>
   *
   * <p>A method takes no parameter (the function gets empty input) or one of type {@code byte[]},
   * {@code String} (UTF-8) or a generated protobuf message class. It returns {@code void}, one of
   * those types, or a {@code ListenableFuture<T>} or {@code CompletableFuture<T>} of one of them
   * or of {@code Void}: a method returning a future calls without waiting, as {@link #callAsync}
   * does, and cancelling its future cancels the call. Every method is checked here, once: a
   * plugin's reply only ever becomes a host object through a schema, never by Java serialization.
   * A null argument throws NullPointerException.
   *
   * <p>A returned future usually completes on one of the host's I/O threads, as {@link
   * #callAsync}'s does. For a {@code CompletableFuture} that matters more: every stage chained to it
   * without an executor ({@code thenAccept}, {@code thenApply}...) runs on that thread, which serves
   * every plugin's socket. Chain work that may block with the {@code *Async} variants and an
   * executor of your own.
   *
   * <p>Parameter and return types are read from the method as declared: a type variable (a method
   * inherited from a generic interface) is refused, since the proxy cannot know what it stands for;
   * declare the method with concrete types.
   *
   * <p>Failures are the {@link PluginCallException}s the bytes call would throw (in the future,
   * for a method returning one), plus INTERNAL for a reply that does not decode (see {@link
   * TypedFunction}). Default methods run as written; an interface that has any must be public,
   * because {@link java.lang.reflect.InvocationHandler#invokeDefault} checks access (one without
   * may be package-private). {@code equals} is identity, {@code hashCode} the identity hash, and
   * {@code toString} names the interface and the plugin. The proxy is thread-safe and, like this
   * handle, stays valid across restarts.
   *
   * @throws IllegalArgumentException if {@code iface} is not an interface, if {@code timeout} is
   *     not positive, or if any of its methods cannot be a plugin call; the message names each
   *     such method and why
   */
  default <T> T proxy(Class<T> iface, Duration timeout) {
    return PluginProxy.create(this, iface, timeout);
  }

  /**
   * Replaces every process of the plugin, one new process started for each before the old one
   * drains and stops, so no call fails for it. From FAILED or DISABLED it starts the plugin
   * afresh with its restart count forgiven. Completes when the old processes are gone.
   */
  ListenableFuture<Void> restartAsync();

  /**
   * Stops the plugin's processes (calls in flight may finish within the shutdown grace) and keeps
   * them stopped; calls fail with FAILED_PRECONDITION until {@link #enableAsync()}.
   */
  ListenableFuture<Void> disableAsync();

  /** Starts a DISABLED or FAILED plugin afresh; completes when its first process has served or failed. */
  ListenableFuture<Void> enableAsync();

  /**
   * The plugin's calls since the host started: how many started, succeeded and failed (by code),
   * how many are in flight, and their latencies over the host's life and the last minute, for
   * unary calls, map chunks (and map inputs) and pipes apart. See {@link PluginMetrics} for what
   * each counts.
   *
   * <p>Takes a snapshot each time it is called (it merges a few histograms: microseconds, not
   * nanoseconds; call it per scrape, not per call). Recording costs the call path a few adder
   * increments and a lock-free histogram write per call. Valid before start (all zero) and after
   * stop (the final counts).
   */
  PluginMetrics metrics();

  /**
   * The plugin's most recent output, oldest first: the last {@code maxLines} lines its processes
   * wrote to standard output and error, across restarts, or fewer if fewer are kept. The host
   * keeps the last 1,000 lines of each plugin, and fewer when those hold more than 1 MiB of text
   * (counted two bytes a character); a line is at most 8 KiB as written.
   *
   * <p>These are the lines the host's own log got: a process writing faster than 200 lines a
   * second per stream has the excess dropped, and a {@linkplain OutputLine#isDropNotice() drop
   * notice} with the count stands in their place. Lines the host consumes itself (the runner's
   * ready line) are not included. Empty before the first process starts; what was kept stays
   * readable after the plugin or host stops.
   *
   * @throws IllegalArgumentException if {@code maxLines} is negative
   */
  List<OutputLine> recentOutput(int maxLines);

  /**
   * Hands every later line of the plugin's output (the lines {@link #recentOutput} keeps, drop
   * notices included) to {@code listener} on {@code executor}, one at a time and in order, until
   * the returned registration is closed. Lines already past are not replayed: to follow a log,
   * watch first, then read {@link #recentOutput}, and expect the two to overlap.
   *
   * <p>A slow listener never holds up the host: lines wait for it in a queue of its own of at most
   * 1,000 lines and 1 MiB of text; lines that find the queue full are dropped for this listener
   * alone, and once it has caught up it gets a drop notice saying how many of which process's
   * stream it missed. With {@code directExecutor()} the listener runs on the thread reading the
   * plugin's output, and must then be quick and never block; any other executor keeps that thread
   * free whatever the listener does, provided {@code execute} itself does not block. An executor
   * that rejects work closes the registration. An exception the listener throws is logged and
   * otherwise ignored. The registration outlives restarts; after the host stops, the listener
   * simply hears nothing more.
   */
  Registration watchOutput(Consumer<OutputLine> listener, Executor executor);

  /**
   * Adds a listener for every later state change, run on {@code executor}, one event at a time
   * and in order. Events already past are not replayed. Closing the returned registration removes
   * the listener: events not yet handed to it are then skipped. The listener stays registered
   * after the host stops, but hears nothing more.
   */
  Registration addListener(PluginListener listener, Executor executor);
}
