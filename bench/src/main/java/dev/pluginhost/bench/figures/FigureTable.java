package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.Samples;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Prints figures as plain-text tables, one block per figure: its title, its settings, a row per
 * measure (n, median, p10, p90, p99, unit) and its notes. Spread is left blank ("-") where it
 * says nothing: p10 and p90 of fewer than 2 values, p99 of fewer than 100.
 */
public final class FigureTable {
  /** Fewer values than this and p99 is only the largest one, or near it. */
  static final int P99_LEAST = 100;
  private static final String ROW = "  %-46s %7s %10s %10s %10s %10s  %s";

  private FigureTable() {}

  /** The blocks of {@code results}, separated by blank lines, ending with a line break. */
  public static String format(List<FigureResult> results) {
    StringBuilder text = new StringBuilder();
    for (FigureResult result : results) {
      if (text.length() > 0) {
        text.append('\n');
      }
      text.append(format(result));
    }
    return text.toString();
  }

  /** One figure's block, ending with a line break. */
  public static String format(FigureResult result) {
    StringBuilder text = new StringBuilder();
    text.append(result.id()).append(": ").append(result.title()).append('\n');
    if (!result.settings().isEmpty()) {
      text.append("  settings: ").append(settings(result.settings())).append('\n');
    }
    text.append(String.format(Locale.ROOT, ROW, "measure", "n", "median", "p10", "p90", "p99", "unit").stripTrailing())
        .append('\n');
    for (Measure measure : result.measures()) {
      text.append(row(measure)).append('\n');
    }
    for (String note : result.notes()) {
      text.append("  note: ").append(note).append('\n');
    }
    return text.toString();
  }

  static String settings(Map<String, String> settings) {
    StringBuilder text = new StringBuilder();
    settings.forEach((k, v) -> text.append(text.length() == 0 ? "" : "; ").append(k).append(' ').append(v));
    return text.toString();
  }

  static String row(Measure measure) {
    Samples s = measure.samples();
    int n = s.count();
    return String.format(
        Locale.ROOT,
        ROW,
        measure.name(),
        n,
        n == 0 ? "-" : number(s.median()),
        n < 2 ? "-" : number(s.percentile(10)),
        n < 2 ? "-" : number(s.percentile(90)),
        n < P99_LEAST ? "-" : number(s.percentile(99)),
        measure.unit());
  }

  /**
   * A value with about three significant figures and no exponent: 0.0123, 0.312, 3.12, 31.2,
   * 312, 3124, 312446.
   */
  static String number(double value) {
    double magnitude = Math.abs(value);
    String format;
    if (magnitude >= 100) {
      format = "%.0f";
    } else if (magnitude >= 10) {
      format = "%.1f";
    } else if (magnitude >= 1) {
      format = "%.2f";
    } else if (magnitude >= 0.1 || magnitude == 0) {
      format = "%.3f";
    } else {
      format = "%.4f";
    }
    return String.format(Locale.ROOT, format, value);
  }
}
