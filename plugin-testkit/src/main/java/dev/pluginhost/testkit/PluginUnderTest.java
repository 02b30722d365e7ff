package dev.pluginhost.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A started plugin a test calls the way an embedder calls a {@code PluginHandle}: in the test's
 * own JVM ({@link InProcessPlugin}) or in a real plugin JVM under a real host ({@link
 * ChildJvmPlugin}). One test body written against this interface runs against both:
 *
 * <pre>{@code
 * static void greets(PluginUnderTest hello) {
 *   assertEquals("Hello, Ann!", hello.callText("greet", "Ann"));
 *   CallFailedException e = assertThrows(CallFailedException.class, () -> hello.callText("fail", "boom"));
 *   assertEquals(HostServiceException.Code.UNKNOWN, e.code());
 * }
 * }</pre>
 *
 * <p>Thread-safe. Every call carries a deadline: the timeout given (which must be positive, or
 * the call throws {@link IllegalArgumentException}), or {@link #callTimeout()} for the methods
 * without one. In-process, no wait of the test's outlasts it. In a child JVM the host gives its
 * verdict (DEADLINE_EXCEEDED) at the deadline, and the test waits for that verdict: a unary call
 * at most 30 seconds past the deadline before failing with DEADLINE_EXCEEDED itself, a map or a
 * pipe as long as the host takes. Failures are {@link CallFailedException}s whose codes mean what
 * the host's do. After {@link #close()} calls fail with FAILED_PRECONDITION.
 */
public interface PluginUnderTest extends AutoCloseable {

  /** The plugin's id: from its descriptor, or as the test named it. */
  String id();

  /** The plugin's version: from its descriptor, or as the test named it. */
  String version();

  /** The names of the functions the plugin registered in its start hook, sorted. */
  List<String> functions();

  /** The timeout of the methods that take none; 30 seconds unless the builder set another. */
  Duration callTimeout();

  /**
   * Calls a unary (or text) function and waits for its result.
   *
   * @param timeout how long the test waits; also the deadline the plugin sees
   * @param metadata what the function sees in {@code CallContext.metadata()}
   * @throws CallFailedException whenever the call did not produce a result
   */
  byte[] call(String function, byte[] input, Duration timeout, Map<String, String> metadata);

  /** {@link #call(String, byte[], Duration, Map)} without metadata. */
  default byte[] call(String function, byte[] input, Duration timeout) {
    return call(function, input, timeout, Map.of());
  }

  /** {@link #call(String, byte[], Duration, Map)} within {@link #callTimeout()}, without metadata. */
  default byte[] call(String function, byte[] input) {
    return call(function, input, callTimeout(), Map.of());
  }

  /** {@link #call(String, byte[], Duration)} with text, encoded as UTF-8 both ways. */
  default String callText(String function, String input, Duration timeout) {
    return new String(call(function, input.getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8);
  }

  /** {@link #callText(String, String, Duration)} within {@link #callTimeout()}. */
  default String callText(String function, String input) {
    return callText(function, input, callTimeout());
  }

  /**
   * Calls {@code function} once per input, like the host's {@code map}, and returns one outcome
   * per input, in input order. Never throws for one input's failure (nor for an unknown function
   * or a closed plugin: every input then fails alike). Returns by {@code timeout}; inputs not done
   * by then fail with DEADLINE_EXCEEDED.
   *
   * @param metadata what every input's call carries in {@code CallContext.metadata()}
   */
  List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata);

  /** {@link #map(String, List, Duration, Map)} without metadata. */
  default List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout) {
    return map(function, inputs, timeout, Map.of());
  }

  /** {@link #map(String, List, Duration)} within {@link #callTimeout()}. */
  default List<MapOutcome> map(String function, List<byte[]> inputs) {
    return map(function, inputs, callTimeout());
  }

  /** {@link #map(String, List)} with text inputs, encoded as UTF-8. */
  default List<MapOutcome> mapText(String function, List<String> inputs) {
    List<byte[]> bytes = new ArrayList<>(inputs.size());
    inputs.forEach(input -> bytes.add(input.getBytes(StandardCharsets.UTF_8)));
    return map(function, bytes, callTimeout());
  }

  /**
   * Opens a two-way stream with a streaming function. The stream's deadline is {@code timeout}
   * from now. As with the host, a function the plugin does not have fails the pipe, not this
   * method: its {@code receive()} throws UNIMPLEMENTED.
   *
   * @throws CallFailedException if the plugin is closed
   */
  CallerPipe openPipe(String function, Duration timeout, Map<String, String> metadata);

  /** {@link #openPipe(String, Duration, Map)} without metadata. */
  default CallerPipe openPipe(String function, Duration timeout) {
    return openPipe(function, timeout, Map.of());
  }

  /** {@link #openPipe(String, Duration, Map)} within {@link #callTimeout()}, without metadata. */
  default CallerPipe openPipe(String function) {
    return openPipe(function, callTimeout(), Map.of());
  }

  /**
   * Stops the plugin (its stop hook runs) and releases everything started for it: threads, class
   * loaders, temporary directories, and in a child JVM the host and its processes. Idempotent; the
   * later calls do nothing.
   *
   * <p>How a plugin that misbehaves on the way out (its stop hook throws or overruns, a call will
   * not end) is reported differs by mode: {@link InProcessPlugin#close()} throws {@link
   * IllegalStateException} saying what, once it has released everything; {@link
   * ChildJvmPlugin#close()} does not, as the host only logs a stop hook's failure (the plugin's
   * output has it) and kills a process that overstays its grace.
   *
   * @throws IllegalStateException in-process, after releasing everything, if the plugin misbehaved
   *     on the way out
   */
  @Override
  void close();
}
