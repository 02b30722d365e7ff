package dev.pluginhost.bench;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measurements of one kind (timings in nanoseconds, or ratios) and their order statistics. Percentiles interpolate
 * linearly between the closest ranks (numpy's default), so the median of an even count is the
 * mean of the middle two. Not thread-safe.
 */
public final class Samples {
  private final String name;
  private final List<Double> values = new ArrayList<>();

  public Samples(String name) {
    this.name = name;
  }

  public String name() {
    return name;
  }

  public void add(double value) {
    checkArgument(Double.isFinite(value), "not a finite number: %s", value);
    values.add(value);
  }

  /** The values, in the order they were added. */
  public List<Double> values() {
    return List.copyOf(values);
  }

  public int count() {
    return values.size();
  }

  /** The {@code p}th percentile (0 to 100). */
  public double percentile(double p) {
    checkArgument(p >= 0 && p <= 100, "percentile must be 0 to 100, got %s", p);
    checkState(!values.isEmpty(), "no samples of %s", name);
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    double rank = p / 100 * (sorted.length - 1);
    int below = (int) Math.floor(rank);
    int above = (int) Math.ceil(rank);
    return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
  }

  public double median() {
    return percentile(50);
  }

  public double min() {
    return percentile(0);
  }

  public double max() {
    return percentile(100);
  }
}
