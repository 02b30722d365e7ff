package dev.pluginhost.host.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** How the CLI writes times, durations and sizes for people. */
final class Formats {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private Formats() {}

  /** {@code 2026-11-22 18:44:01.123Z}. */
  static String time(long epochMillis) {
    return TIME.format(Instant.ofEpochMilli(epochMillis));
  }

  /** The largest two units: {@code 850ms}, {@code 12s}, {@code 3m05s}, {@code 2h07m}, {@code 3d04h}. */
  static String duration(long millis) {
    if (millis < 0) {
      return "-";
    }
    if (millis < 1000) {
      return millis + "ms";
    }
    Duration d = Duration.ofMillis(millis);
    if (d.toMinutes() == 0) {
      return d.toSeconds() + "s";
    }
    if (d.toHours() == 0) {
      return String.format(Locale.ROOT, "%dm%02ds", d.toMinutes(), d.toSecondsPart());
    }
    if (d.toDays() == 0) {
      return String.format(Locale.ROOT, "%dh%02dm", d.toHours(), d.toMinutesPart());
    }
    return String.format(Locale.ROOT, "%dd%02dh", d.toDays(), d.toHoursPart());
  }

  /** {@code 812 B}, {@code 54.2 MiB}; {@code -} when unknown (negative). */
  static String bytes(long bytes) {
    if (bytes < 0) {
      return "-";
    }
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }

  /** Milliseconds with precision that suits them: {@code 0.42ms}, {@code 12.3ms}, {@code 250ms}. */
  static String millis(double millis) {
    if (millis < 1) {
      return String.format(Locale.ROOT, "%.2fms", millis);
    }
    if (millis < 100) {
      return String.format(Locale.ROOT, "%.1fms", millis);
    }
    return String.format(Locale.ROOT, "%.0fms", millis);
  }
}
