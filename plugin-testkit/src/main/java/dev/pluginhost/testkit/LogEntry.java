package dev.pluginhost.testkit;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One record an in-process plugin sent through {@code context.log()}, as the host would have
 * received it; see {@link InProcessPlugin#logEntries()}.
 *
 * @param level the record's level
 * @param message its message
 * @param fields the names and values the plugin attached, unmodifiable
 * @param time when the plugin sent it
 */
public record LogEntry(Level level, String message, Map<String, String> fields, Instant time) {
  public LogEntry {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    fields = Map.copyOf(fields);
    Objects.requireNonNull(time, "time");
  }

  @Override
  public String toString() {
    return level.getName() + " " + message + (fields.isEmpty() ? "" : " " + new java.util.TreeMap<>(fields));
  }
}
