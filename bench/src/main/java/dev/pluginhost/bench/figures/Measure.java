package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.Samples;

/**
 * One row of a figure: named samples, already in {@code unit} (ms, calls/s, MiB/s, MiB...).
 *
 * @param samples the values; their name is the row's name
 * @param unit what the values are in
 */
public record Measure(Samples samples, String unit) {

  public String name() {
    return samples.name();
  }

  /** Shorthand for a measure of one value. */
  public static Measure single(String name, double value, String unit) {
    Samples samples = new Samples(name);
    samples.add(value);
    return new Measure(samples, unit);
  }
}
