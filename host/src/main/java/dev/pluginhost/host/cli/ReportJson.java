package dev.pluginhost.host.cli;

import dev.pluginhost.host.internal.doctor.IsolationReport;
import dev.pluginhost.host.internal.doctor.Protection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The doctor's report as JSON for scripts: {@code {"ok": ..., "protections": [{"name", "status",
 * "used", "detail"}, ...], "missing": [names]}}. Written by hand: the host has no JSON library on
 * its compile classpath, and this is the only JSON it writes.
 */
final class ReportJson {
  private ReportJson() {}

  /** The report as one JSON object, one protection per line, ending in a newline. */
  static String format(IsolationReport report) {
    StringBuilder out = new StringBuilder();
    out.append("{\n  \"ok\": ").append(report.ok()).append(",\n  \"protections\": [\n");
    List<Protection> protections = report.protections();
    for (int i = 0; i < protections.size(); i++) {
      Protection p = protections.get(i);
      out.append("    {\"name\": ").append(quote(p.name()))
          .append(", \"status\": ").append(quote(p.status().label()))
          .append(", \"used\": ").append(p.used())
          .append(", \"detail\": ").append(quote(p.detail()))
          .append(i + 1 < protections.size() ? "},\n" : "}\n");
    }
    out.append("  ],\n  \"missing\": [")
        .append(report.missing().stream().map(p -> quote(p.name())).collect(Collectors.joining(", ")))
        .append("]\n}\n");
    return out.toString();
  }

  /** {@code text} as a JSON string literal (RFC 8259): quotes, backslashes and control characters escaped. */
  static String quote(String text) {
    StringBuilder out = new StringBuilder(text.length() + 2).append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"': out.append("\\\""); break;
        case '\\': out.append("\\\\"); break;
        case '\n': out.append("\\n"); break;
        case '\r': out.append("\\r"); break;
        case '\t': out.append("\\t"); break;
        default:
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
      }
    }
    return out.append('"').toString();
  }
}
