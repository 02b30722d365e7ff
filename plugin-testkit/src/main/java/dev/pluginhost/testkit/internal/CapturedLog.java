package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.StructuredLog;
import dev.pluginhost.testkit.LogEntry;
import java.io.PrintStream;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;

/**
 * The structured log of an in-process plugin: each record kept for the test to read, in order, as
 * the host's log receives it, and printed as a line on standard error. Never blocks. The grant
 * {@code log} is checked first.
 *
 * <p>What a plugin sends is not trusted, here as by the host's {@code StructuredLogSink}, whose
 * rules this mirrors (kept in step by hand, as the in-process mode loads no host class): fields
 * whose names are not 1 to 64 letters, digits, '.', '-' or '_', or that would pass for the host's
 * own {@code plugin}, {@code version} and {@code pid}, are dropped, and so is every field past the
 * first {@value #MAX_FIELDS} kept; control characters in the message and the values are escaped;
 * a value is cut to {@value #MAX_VALUE_CHARS} characters and the message to {@value
 * #MAX_MESSAGE_CHARS}. Unlike the host, it keeps every record: the host keeps at most 200 a second
 * per process, and the runner drops what finds its queue of 1000 full.
 */
public final class CapturedLog implements StructuredLog {
  static final int MAX_FIELDS = 32;
  static final int MAX_VALUE_CHARS = 1024;
  static final int MAX_MESSAGE_CHARS = 8 * 1024;
  private static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Set<String> HOST_KEYS = Set.of("plugin", "version", "pid");

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
    Map<String, String> kept = new TreeMap<>();
    for (Map.Entry<String, String> field : fields.entrySet()) {
      String name = Objects.requireNonNull(field.getKey(), "field name");
      String value = Objects.requireNonNull(field.getValue(), "field value");
      if (kept.size() < MAX_FIELDS && FIELD_NAME.matcher(name).matches() && !HOST_KEYS.contains(name)) {
        kept.put(name, cut(escape(value), MAX_VALUE_CHARS));
      }
    }
    LogEntry entry = new LogEntry(level, cut(escape(message), MAX_MESSAGE_CHARS), kept, Instant.now());
    entries.add(entry);
    out.println("[" + pluginId + " log] " + entry);
  }

  /** Every record so far, oldest first; a snapshot. */
  public List<LogEntry> entries() {
    return List.copyOf(entries);
  }

  /** Control characters as escapes, as the host writes them: a record is one line. */
  static String escape(String text) {
    StringBuilder escaped = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        if (escaped == null) {
          escaped = new StringBuilder(text.length() + 8).append(text, 0, i);
        }
        switch (c) {
          case '\n' -> escaped.append("\\n");
          case '\r' -> escaped.append("\\r");
          case '\t' -> escaped.append("\\t");
          default -> escaped.append(String.format("\\u%04x", (int) c));
        }
      } else if (escaped != null) {
        escaped.append(c);
      }
    }
    return escaped == null ? text : escaped.toString();
  }

  private static String cut(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max) + " ...[" + (text.length() - max) + " more chars cut]";
  }
}
