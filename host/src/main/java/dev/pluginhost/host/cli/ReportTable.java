package dev.pluginhost.host.cli;

import dev.pluginhost.host.internal.doctor.IsolationReport;
import dev.pluginhost.host.internal.doctor.Protection;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** The doctor's report as a table for people: aligned columns, then a verdict on the last line. */
final class ReportTable {
  private static final String USED_MARK = " *";

  private ReportTable() {}

  /** The table, each line ending in a newline; the last line starts with "OK:" or "MISSING:". */
  static String format(IsolationReport report) {
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"PROTECTION", "STATUS", "DETAIL"});
    for (Protection p : report.protections()) {
      rows.add(new String[] {p.name() + (p.used() ? USED_MARK : ""), p.status().label(), p.detail()});
    }
    int nameWidth = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
    int statusWidth = rows.stream().mapToInt(r -> r[1].length()).max().orElse(0);
    StringBuilder out = new StringBuilder();
    for (String[] row : rows) {
      out.append(pad(row[0], nameWidth)).append("  ").append(pad(row[1], statusWidth)).append("  ").append(row[2]).append('\n');
    }
    out.append('\n').append(USED_MARK.trim()).append(" used by the default settings\n");
    out.append(verdict(report)).append('\n');
    return out.toString();
  }

  /** The last line: OK, or which protections the default settings use are missing. */
  static String verdict(IsolationReport report) {
    if (report.ok()) {
      return "OK: every protection the default settings use is available";
    }
    return "MISSING: "
        + report.missing().stream().map(p -> p.name() + " (" + p.status().label() + ")").collect(Collectors.joining(", "))
        + "; plugins get less isolation than the default settings ask for";
  }

  private static String pad(String text, int width) {
    return text + " ".repeat(width - text.length());
  }
}
