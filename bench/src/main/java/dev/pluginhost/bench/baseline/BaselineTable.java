package dev.pluginhost.bench.baseline;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Baseline results as a plain-text table: one row per figure with median, p10, p90, p99 (only
 * where the figure shows it), n and unit; then each result's notes, and one line for each
 * baseline without figures. A time is shown in ns, µs or ms, whichever suits its median, the
 * same unit across its row.
 */
public final class BaselineTable {
  private static final String[] HEADER = {"figure", "median", "p10", "p90", "p99", "n", "unit"};

  private BaselineTable() {}

  /** The table for {@code results}, in their order, ending with a newline. */
  public static String format(List<BaselineResult> results) {
    List<String[]> rows = new ArrayList<>();
    rows.add(HEADER);
    List<String> after = new ArrayList<>();
    for (BaselineResult result : results) {
      for (Figure figure : result.figures()) {
        rows.add(row(figure));
      }
      after.addAll(result.notes());
      if (result.status() != BaselineResult.Status.MEASURED) {
        after.add(result.baseline() + ": " + result.status().name().toLowerCase(Locale.ROOT) + ": " + result.reason());
      }
    }
    int[] widths = new int[HEADER.length];
    for (String[] row : rows) {
      for (int i = 0; i < row.length; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    StringBuilder text = new StringBuilder();
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        String cell = row[i];
        // The label and the unit read left to right; numbers line up on the right.
        boolean left = i == 0 || i == row.length - 1;
        String pad = " ".repeat(widths[i] - cell.length());
        line.append(i == 0 ? "" : "  ").append(left ? cell + pad : pad + cell);
      }
      text.append(line.toString().stripTrailing()).append('\n');
    }
    for (String note : after) {
      text.append(note).append('\n');
    }
    return text.toString();
  }

  private static String[] row(Figure figure) {
    Scale scale = Scale.of(figure);
    return new String[] {
      figure.label(),
      scale.format(figure.median()),
      scale.format(figure.p10()),
      scale.format(figure.p90()),
      figure.showsP99() ? scale.format(figure.p99()) : "-",
      Integer.toString(figure.count()),
      scale.symbol
    };
  }

  /** How a row's numbers are written. */
  private record Scale(double divisor, String symbol) {
    static Scale of(Figure figure) {
      if (figure.unit() != Unit.NANOSECONDS) {
        return new Scale(1, figure.unit().symbol());
      }
      double median = figure.median();
      if (median >= 1e6) {
        return new Scale(1e6, "ms");
      }
      return median >= 1e3 ? new Scale(1e3, "µs") : new Scale(1, "ns");
    }

    String format(double value) {
      double scaled = value / divisor;
      // Three significant figures or whole numbers with separators, whichever is longer.
      if (Math.abs(scaled) >= 1000) {
        return String.format(Locale.ROOT, "%,.0f", scaled);
      }
      if (Math.abs(scaled) >= 100) {
        return String.format(Locale.ROOT, "%.0f", scaled);
      }
      return Math.abs(scaled) >= 10 ? String.format(Locale.ROOT, "%.1f", scaled) : String.format(Locale.ROOT, "%.2f", scaled);
    }
  }
}
