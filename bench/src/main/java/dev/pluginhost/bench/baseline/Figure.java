package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.bench.Samples;

/**
 * One figure of a baseline: its samples, in {@code unit}, and which tail is worth showing.
 *
 * <p>A per-event figure holds one sample per timed event (a call) and shows its p99; a
 * per-repeat figure holds one sample per repeat, time window or large call, and shows p10 and
 * p90. The samples are not changed
 * after the baseline returns its result; reading them from several threads is safe then.
 *
 * @param id stable key for programs, such as {@code "grpc.direct.round-trip"}
 * @param label what a person reads in the table
 * @param showsP99 whether there are enough samples for a p99 to mean something
 */
public record Figure(String id, String label, Samples samples, Unit unit, boolean showsP99) {
  public Figure {
    checkNotNull(id, "id");
    checkNotNull(label, "label");
    checkNotNull(samples, "samples");
    checkNotNull(unit, "unit");
    checkArgument(samples.count() > 0, "figure %s has no samples", id);
  }

  /** A figure of one sample per timed event, in nanoseconds, shown with its p99. */
  public static Figure perEvent(String id, String label, Samples nanos) {
    return new Figure(id, label, nanos, Unit.NANOSECONDS, true);
  }

  /** A figure of one sample per repeat or window, shown with p10 and p90. */
  public static Figure perRepeat(String id, String label, Samples values, Unit unit) {
    return new Figure(id, label, values, unit, false);
  }

  public double median() {
    return samples.median();
  }

  public double p10() {
    return samples.percentile(10);
  }

  public double p90() {
    return samples.percentile(90);
  }

  public double p99() {
    return samples.percentile(99);
  }

  public int count() {
    return samples.count();
  }
}
