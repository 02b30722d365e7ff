package dev.pluginhost.bench.compare;

import java.util.List;
import java.util.Locale;

/** The comparison as a text table. */
final class Tables {
  private Tables() {}

  /** A number as a person reads it: no more digits than mean something. */
  static String number(double value) {
    double magnitude = Math.abs(value);
    if (magnitude >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    }
    if (magnitude >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    }
    if (magnitude >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    }
    return String.format(Locale.ROOT, "%.3g", value);
  }

  static String format(List<Comparison> rows) {
    String header = String.format(
        Locale.ROOT, "%-66s %12s %-22s %12s %-8s %8s  %-12s %s%n",
        "figure (medians)", "host", "against", "it", "unit", "ratio", "bar", "");
    StringBuilder table = new StringBuilder(header);
    for (Comparison row : rows) {
      String verdict = row.met() == null ? "" : row.met() ? "met" : "MISSED";
      String ratio = row.hasBaseline() ? String.format(Locale.ROOT, "%.2fx", row.ratio()) : "";
      String theirs = Double.isNaN(row.theirs()) ? "" : number(row.theirs());
      table.append(String.format(
          Locale.ROOT, "%-66s %12s %-22s %12s %-8s %8s  %-12s %s%n",
          row.what(), number(row.ours()), row.against(), theirs, row.unit(), ratio, row.bar(), verdict));
    }
    return table.toString();
  }
}
