package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.StructuredLog;
import dev.pluginhost.testkit.LogEntry;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The structured log of an in-process plugin: each record kept for the test to read, in order, and
 * printed as a line on standard error as the host's log would show it. Never blocks. The grant
 * {@code log} is checked first.
 */
public final class CapturedLog implements StructuredLog {
  private final String pluginId;
  private final GrantCheck grants;
  private final PrintStream out;
  private final List<LogEntry> entries = new CopyOnWriteArrayList<>();

  public CapturedLog(String pluginId, GrantCheck grants, PrintStream out) {
    this.pluginId = pluginId;
    this.grants = grants;
    this.out = out;
  }

  @Override
  public void log(Level level, String message, Map<String, String> fields) {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fields, "fields");
    grants.require("log");
    LogEntry entry = new LogEntry(level, message, fields, Instant.now());
    entries.add(entry);
    out.println("[" + pluginId + " log] " + entry);
  }

  /** Every record so far, oldest first; a snapshot. */
  public List<LogEntry> entries() {
    return List.copyOf(entries);
  }
}
