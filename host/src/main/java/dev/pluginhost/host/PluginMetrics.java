package dev.pluginhost.host;

import io.grpc.Status;
import java.time.Duration;
import java.util.Map;

/**
 * A plugin's calls, counted since its host started: a snapshot from {@link PluginHandle#metrics()}.
 * Counts only grow, so a monitoring system can take rates from them.
 *
 * <p>Three kinds of call are counted apart, because their latencies mean different things:
 *
 * <ul>
 *   <li>{@link #calls()}: unary calls ({@code call}, {@code callAsync}, {@code callText});
 *   <li>{@link #mapChunks()}: the chunks of maps, each one call to a process carrying several
 *       inputs; the inputs themselves are counted in {@link #mapItemsSucceeded()} and
 *       {@link #mapItemsFailed()};
 *   <li>{@link #pipes()}: streams from {@code openPipe}; a pipe's latency is how long it was open.
 * </ul>
 *
 * <p>A call is counted as started when the handle takes it (it may then wait in the queue) and as
 * finished when its caller gets its result or error, retries inside the host included; its latency
 * spans the two. A call refused at once (plugin stopped, queue full, input too large) counts as
 * started and failed.
 *
 * @param calls unary calls
 * @param mapChunks chunks of maps
 * @param pipes streams
 * @param mapItemsSucceeded inputs of maps that ended with a result
 * @param mapItemsFailed inputs of maps that ended with an error, by its code; an input whose whole
 *     chunk failed counts here with the chunk's code
 */
public record PluginMetrics(
    Calls calls, Calls mapChunks, Calls pipes, long mapItemsSucceeded, Map<Status.Code, Long> mapItemsFailed) {

  /** The window {@link Calls#recentLatency()} covers, give or take {@link #RECENT_WINDOW_SLACK}. */
  public static final Duration RECENT_WINDOW = Duration.ofMinutes(1);

  /** How much older than {@link #RECENT_WINDOW} a call counted as recent may be. */
  public static final Duration RECENT_WINDOW_SLACK = Duration.ofSeconds(10);

  public PluginMetrics {
    mapItemsFailed = Map.copyOf(mapItemsFailed);
  }

  /** How many map inputs ended with an error, whatever its code. */
  public long mapItemsFailedTotal() {
    return mapItemsFailed.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Counts and latencies of one kind of call.
   *
   * @param started taken by the handle
   * @param succeeded ended with a result (for a pipe: the plugin's function returned normally)
   * @param failedByCode ended with an error, by its code (a caller's cancel is CANCELLED); codes
   *     never seen are absent
   * @param inFlight started and not yet finished: waiting in the queue or running
   * @param latency of every call finished since the host started, successes and failures alike
   * @param recentLatency of the calls finished in the last {@link #RECENT_WINDOW}
   */
  public record Calls(
      long started,
      long succeeded,
      Map<Status.Code, Long> failedByCode,
      long inFlight,
      Latency latency,
      Latency recentLatency) {

    public Calls {
      failedByCode = Map.copyOf(failedByCode);
    }

    /** How many ended with an error, whatever its code. */
    public long failed() {
      return failedByCode.values().stream().mapToLong(Long::longValue).sum();
    }
  }

  /**
   * The distribution of some calls' latencies. Percentiles and the maximum are exact to within
   * 1% (two significant digits), at microsecond resolution; each is the upper edge of the 1% band
   * holding the true value, so never below it by more than a microsecond. All are zero when no
   * call was counted.
   *
   * @param count how many calls
   * @param mean their mean
   * @param p50 the median
   * @param p90 the 90th percentile
   * @param p99 the 99th percentile
   * @param max the longest
   */
  public record Latency(long count, Duration mean, Duration p50, Duration p90, Duration p99, Duration max) {
    /** No calls. */
    public static final Latency NONE =
        new Latency(0, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ZERO);
  }
}
