package dev.pluginhost.testkit;

import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * One record an in-process plugin sent through {@code context.log()}, as the host's log would
 * receive it; see {@link InProcessPlugin#logEntries()}. As the host does, the kit drops the fields
 * it would drop (names not of 1 to 64 letters, digits, '.', '-' or '_'; the host's own {@code
 * plugin}, {@code version} and {@code pid}; any past the first 32 kept), escapes control
 * characters ({@code \n} as the two characters {@code \} and {@code n}), and cuts a value to 1024
 * characters and the message to 8192, saying how much it cut. One difference: every record is
 * kept, where the host keeps at most 200 a second per process (and the runner drops those that
 * find its queue of 1000 full), so a test does not see records a plugin JVM would lose.
 *
 * @param level the record's level
 * @param message its message, escaped and cut as the host does
 * @param fields the names and values kept of those the plugin attached, unmodifiable
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
