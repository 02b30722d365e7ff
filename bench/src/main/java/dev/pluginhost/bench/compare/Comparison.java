package dev.pluginhost.bench.compare;

import java.util.Locale;

/**
 * One line of the comparison: a figure of the host's beside what it is judged against (a baseline
 * measured in the same run, or a fixed target), and whether it meets the bar.
 *
 * @param what the figure, as people say it
 * @param ours the host's median, in {@code unit}
 * @param against what it is set against: a baseline's name, or "target"
 * @param theirs that baseline's median in the same unit, or the target itself
 * @param unit the unit of both
 * @param bar the bar as text ("<= 1.15x", ">= 0.8x", "<= 200 ms"); empty when for information only
 * @param met whether the bar is met; null when there is no bar
 */
public record Comparison(String what, double ours, String against, double theirs, String unit, String bar, Boolean met) {

  /** {@code ours / theirs}. */
  public double ratio() {
    return ours / theirs;
  }

  /** A row judged by the ratio to a baseline: met when it is at most {@code max}. */
  static Comparison atMost(String what, double ours, String against, double theirs, String unit, double max) {
    return new Comparison(
        what, ours, against, theirs, unit, String.format(Locale.ROOT, "<= %.2fx", max), ours / theirs <= max);
  }

  /** A row judged by the ratio to a baseline: met when it is at least {@code min}. */
  static Comparison atLeast(String what, double ours, String against, double theirs, String unit, double min) {
    return new Comparison(
        what, ours, against, theirs, unit, String.format(Locale.ROOT, ">= %.2fx", min), ours / theirs >= min);
  }

  /** A row judged against a fixed target: met when {@code ours} is at most {@code target}. */
  static Comparison withinTarget(String what, double ours, double target, String unit) {
    return new Comparison(
        what, ours, "target", target, unit, String.format(Locale.ROOT, "<= %s %s", Tables.number(target), unit),
        ours <= target);
  }

  /** A row for information with nothing to set it against. */
  static Comparison alone(String what, double ours, String unit) {
    return new Comparison(what, ours, "", Double.NaN, unit, "", null);
  }

  /** Whether {@link #against()} names a baseline, so that the ratio means something. */
  public boolean hasBaseline() {
    return !against.isEmpty() && !against.equals("target");
  }

  /** A row for information: the ratio is shown, nothing is judged. */
  static Comparison shown(String what, double ours, String against, double theirs, String unit) {
    return new Comparison(what, ours, against, theirs, unit, "", null);
  }
}
