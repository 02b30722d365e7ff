package dev.pluginhost.host.internal.metrics;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.PluginMetrics;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts one kind of call of one plugin and records their latencies, for
 * {@link PluginMetrics.Calls}.
 *
 * <p>Thread-safe. {@link #start} and {@link #finish} are for the call path: they take no lock
 * (counters are adders, latencies go to an HdrHistogram {@link Recorder}), except that about once
 * every {@link #SLICE} one {@code finish} moves the values recorded so far into the history, a
 * few microseconds under this object's lock. {@link #snapshot} does the real work.
 *
 * <p>Recent latencies are kept as slices of at most {@link #SLICE} each; a snapshot merges the
 * slices that may hold a call finished within the last {@link PluginMetrics#RECENT_WINDOW}, so
 * it covers that window and at most one slice more.
 */
public final class CallRecorder {
  static final Duration SLICE = PluginMetrics.RECENT_WINDOW_SLACK;
  private static final long SLICE_NANOS = SLICE.toNanos();
  private static final long WINDOW_NANOS = PluginMetrics.RECENT_WINDOW.toNanos();
  /** 1% precision; the histograms resize themselves to the range of latencies seen. */
  private static final int SIGNIFICANT_DIGITS = 2;
  private static final Status.Code[] CODES = Status.Code.values();

  private final LongSupplier nanoClock;
  private final LongAdder started = new LongAdder();
  private final AtomicLongArray finishedByCode = new AtomicLongArray(CODES.length);
  private final Recorder recorder = new Recorder(SIGNIFICANT_DIGITS);
  /** When the values in {@link #recorder} began: the last time they were moved out. */
  private volatile long openSinceNanos;
  private final Histogram lifetime = new Histogram(SIGNIFICANT_DIGITS);
  private final ArrayDeque<Slice> slices = new ArrayDeque<>();

  /** Latencies recorded between {@code startNanos} and {@code endNanos}. */
  private static final class Slice {
    final long startNanos;
    long endNanos;
    final Histogram histogram;

    Slice(long startNanos, long endNanos, Histogram histogram) {
      this.startNanos = startNanos;
      this.endNanos = endNanos;
      this.histogram = histogram;
    }

    /** The latest a value in it can have been recorded: one is recorded at most a slice after its start. */
    long latestValueNanos() {
      return Math.min(endNanos, startNanos + SLICE_NANOS);
    }
  }

  /** @param nanoClock a monotonic clock, like {@link System#nanoTime()} */
  public CallRecorder(LongSupplier nanoClock) {
    this.nanoClock = checkNotNull(nanoClock, "nanoClock");
    this.openSinceNanos = nanoClock.getAsLong();
  }

  /** Counts a call as started; returns the time to hand to {@link #finish}. */
  public long start() {
    started.increment();
    return nanoClock.getAsLong();
  }

  /** Counts a call started at {@code startNanos} as finished with {@code code} (OK: succeeded). */
  public void finish(long startNanos, Status.Code code) {
    long now = nanoClock.getAsLong();
    if (now - openSinceNanos >= SLICE_NANOS) {
      // Every value in the recorder was recorded within a slice of its start: the history relies on it.
      moveToHistory(now, false);
    }
    recorder.recordValue(Math.max(0, (now - startNanos) / 1000));
    finishedByCode.incrementAndGet(code.ordinal());
  }

  /** Counts and latencies now. */
  public synchronized PluginMetrics.Calls snapshot() {
    long now = nanoClock.getAsLong();
    moveToHistory(now, true);
    Histogram recent = new Histogram(SIGNIFICANT_DIGITS);
    for (Slice slice : slices) {
      recent.add(slice.histogram);
    }
    // Finished before started, so that a call counted in the one is always in the other.
    long succeeded = 0;
    long finished = 0;
    Map<Status.Code, Long> failed = new EnumMap<>(Status.Code.class);
    for (Status.Code code : CODES) {
      long count = finishedByCode.get(code.ordinal());
      finished += count;
      if (code == Status.Code.OK) {
        succeeded = count;
      } else if (count > 0) {
        failed.put(code, count);
      }
    }
    long startedNow = started.sum();
    return new PluginMetrics.Calls(
        startedNow, succeeded, failed, Math.max(0, startedNow - finished), latency(lifetime), latency(recent));
  }

  /** Moves what the recorder holds into the lifetime histogram and the recent slices. */
  private synchronized void moveToHistory(long now, boolean always) {
    long openSince = openSinceNanos;
    if (!always && now - openSince < SLICE_NANOS) {
      return;
    }
    Histogram interval = recorder.getIntervalHistogram();
    lifetime.add(interval);
    Slice last = slices.peekLast();
    if (last != null && now - last.startNanos < SLICE_NANOS) {
      // A young slice takes it in, so frequent snapshots do not pile up slices.
      last.histogram.add(interval);
      last.endNanos = now;
    } else {
      slices.addLast(new Slice(openSince, now, interval));
    }
    while (!slices.isEmpty() && slices.peekFirst().latestValueNanos() <= now - WINDOW_NANOS) {
      slices.removeFirst();
    }
    openSinceNanos = now;
  }

  private static PluginMetrics.Latency latency(Histogram histogram) {
    long count = histogram.getTotalCount();
    if (count == 0) {
      return PluginMetrics.Latency.NONE;
    }
    return new PluginMetrics.Latency(
        count,
        micros(Math.round(histogram.getMean())),
        micros(histogram.getValueAtPercentile(50)),
        micros(histogram.getValueAtPercentile(90)),
        micros(histogram.getValueAtPercentile(99)),
        micros(histogram.getMaxValue()));
  }

  private static Duration micros(long micros) {
    return Duration.ofNanos(micros * 1000);
  }
}
