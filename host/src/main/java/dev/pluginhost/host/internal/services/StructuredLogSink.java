package dev.pluginhost.host.internal.services;

import com.google.common.base.Ticker;
import com.google.common.util.concurrent.RateLimiter;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.proto.runner.v1.LogRecord;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Where one process's structured records go: the host's log (the plugin's logger, {@code
 * dev.pluginhost.plugin.ID}, as for its plain output, with each record's fields as SLF4J key-value
 * pairs beside the host's own {@code plugin}, {@code version} and {@code pid}) and the plugin's
 * output log (one {@link OutputLine.Stream#LOG} line each).
 *
 * <p>What a plugin sends is not trusted: field names that are not letters, digits, '.', '-' or
 * '_', or that would pass for the host's own keys, are dropped; control characters are escaped, so
 * a record cannot forge lines; a record's line is cut to 8 KiB. At most 200 records a second per
 * process are kept, as for plain output; the rest, and those the runner says it dropped, are
 * counted and reported at most once a second.
 */
final class StructuredLogSink {
  static final double RECORDS_PER_SECOND = 200;
  static final int MAX_LINE_CHARS = 8 * 1024;
  static final int MAX_FIELDS = 32;
  static final int MAX_VALUE_CHARS = 1024;
  private static final Pattern FIELD_NAME = HostServicesEndpoint.NAME;
  private static final Set<String> HOST_KEYS = Set.of("plugin", "version", "pid");
  private static final long NOTICE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final String pluginId;
  private final String version;
  private final LongSupplier pid;
  private final Consumer<OutputLine> output;
  private final Logger logger;
  private final RateLimiter limiter = RateLimiter.create(RECORDS_PER_SECOND);
  private final Ticker ticker;
  private long droppedUnreported;
  private long lastNoticeNanos;

  StructuredLogSink(String pluginId, String version, LongSupplier pid, Consumer<OutputLine> output) {
    this(pluginId, version, pid, output, Ticker.systemTicker());
  }

  StructuredLogSink(String pluginId, String version, LongSupplier pid, Consumer<OutputLine> output, Ticker ticker) {
    this.pluginId = pluginId;
    this.version = version;
    this.pid = pid;
    this.output = output;
    this.ticker = ticker;
    this.logger = LoggerFactory.getLogger("dev.pluginhost.plugin." + pluginId);
    this.lastNoticeNanos = ticker.read() - NOTICE_INTERVAL_NANOS;
  }

  /** Takes one request's records, in order, and the count the runner dropped before them. */
  synchronized void accept(Iterable<LogRecord> records, long droppedByRunner) {
    long pid = this.pid.getAsLong();
    droppedUnreported += Math.max(0, droppedByRunner);
    for (LogRecord record : records) {
      if (limiter.tryAcquire()) {
        write(record, pid);
      } else {
        droppedUnreported++;
      }
    }
    long now = ticker.read();
    if (droppedUnreported > 0 && now - lastNoticeNanos >= NOTICE_INTERVAL_NANOS) {
      String text = droppedUnreported + " log records from pid " + pid + " were dropped: the plugin sent them faster"
          + " than the log allows (" + (int) RECORDS_PER_SECOND + " a second)";
      logger.warn("[{} pid {}] {}", pluginId, pid, text);
      output.accept(OutputLine.dropNotice(Instant.now(), pid, OutputLine.Stream.LOG, droppedUnreported, text));
      droppedUnreported = 0;
      lastNoticeNanos = now;
    }
  }

  private void write(LogRecord record, long pid) {
    Level level = level(record.getLevel());
    Map<String, String> fields = new TreeMap<>();
    for (Map.Entry<String, String> field : record.getFieldsMap().entrySet()) {
      if (fields.size() < MAX_FIELDS && FIELD_NAME.matcher(field.getKey()).matches() && !HOST_KEYS.contains(field.getKey())) {
        fields.put(field.getKey(), cut(escape(field.getValue()), MAX_VALUE_CHARS));
      }
    }
    String escaped = escape(record.getMessage());
    String message = cut(escaped, MAX_LINE_CHARS);
    // The line is cut once, from the whole message: cut twice, its note would count only the second cut.
    StringBuilder line = new StringBuilder(level.name()).append(' ').append(escaped);
    fields.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
    String text = cut(line.toString(), MAX_LINE_CHARS);
    if (logger.isEnabledForLevel(level)) {
      LoggingEventBuilder event =
          logger.atLevel(level).addKeyValue("plugin", pluginId).addKeyValue("version", version).addKeyValue("pid", pid);
      fields.forEach(event::addKeyValue);
      event.log(message);
    }
    output.accept(new OutputLine(Instant.now(), pid, OutputLine.Stream.LOG, text));
  }

  /** Control characters as escapes: a record is one line, and cannot pass for another. */
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

  private static Level level(LogRecord.Level level) {
    switch (level) {
      case TRACE:
        return Level.TRACE;
      case DEBUG:
        return Level.DEBUG;
      case WARN:
        return Level.WARN;
      case ERROR:
        return Level.ERROR;
      default:
        return Level.INFO;
    }
  }
}
