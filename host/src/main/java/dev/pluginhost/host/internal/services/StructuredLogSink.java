package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.RateLimiter;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.proto.runner.v1.LogRecord;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Where one process's structured records go: the host's log (logger {@code pluginhost.plugin.ID},
 * each record's fields as SLF4J key-value pairs, tagged with the plugin and pid) and the plugin's
 * output log (one {@link OutputLine.Stream#LOG} line each). At most 200 records a second per
 * process are kept, as for plain output; the rest, and those the runner dropped itself, are counted
 * and reported in a drop notice.
 */
final class StructuredLogSink {
  static final double RECORDS_PER_SECOND = 200;
  static final int MAX_MESSAGE_CHARS = 8 * 1024;
  static final int MAX_FIELDS = 32;
  static final int MAX_FIELD_CHARS = 1024;

  private final String pluginId;
  private final String version;
  private final LongSupplier pid;
  private final Consumer<OutputLine> output;
  private final Logger logger;
  private final RateLimiter limiter = RateLimiter.create(RECORDS_PER_SECOND);

  StructuredLogSink(String pluginId, String version, LongSupplier pid, Consumer<OutputLine> output) {
    this.pluginId = pluginId;
    this.version = version;
    this.pid = pid;
    this.output = output;
    this.logger = LoggerFactory.getLogger("pluginhost.plugin." + pluginId);
  }

  /** Takes one request's records, in order, and the count the runner dropped before them. */
  synchronized void accept(Iterable<LogRecord> records, long droppedByRunner) {
    long pid = this.pid.getAsLong();
    long dropped = droppedByRunner;
    for (LogRecord record : records) {
      if (limiter.tryAcquire()) {
        write(record, pid);
      } else {
        dropped++;
      }
    }
    if (dropped > 0) {
      String text = dropped + " log records from pid " + pid + " were dropped: the plugin sent them faster than"
          + " the log allows (" + (int) RECORDS_PER_SECOND + " a second)";
      logger.warn("[{} pid {}] {}", pluginId, pid, text);
      output.accept(OutputLine.dropNotice(Instant.now(), pid, OutputLine.Stream.LOG, dropped, text));
    }
  }

  private void write(LogRecord record, long pid) {
    Level level = level(record.getLevel());
    String message = oneLine(cut(record.getMessage(), MAX_MESSAGE_CHARS));
    Map<String, String> fields = new TreeMap<>();
    for (Map.Entry<String, String> field : record.getFieldsMap().entrySet()) {
      if (fields.size() == MAX_FIELDS) {
        break;
      }
      fields.put(oneLine(cut(field.getKey(), 64)), oneLine(cut(field.getValue(), MAX_FIELD_CHARS)));
    }
    if (logger.isEnabledForLevel(level)) {
      LoggingEventBuilder event =
          logger.atLevel(level).addKeyValue("plugin", pluginId).addKeyValue("version", version).addKeyValue("pid", pid);
      fields.forEach(event::addKeyValue);
      event.log(message);
    }
    StringBuilder line = new StringBuilder(level.name()).append(' ').append(message);
    fields.forEach((name, value) -> line.append(' ').append(name).append('=').append(value));
    output.accept(new OutputLine(Instant.now(), pid, OutputLine.Stream.LOG, line.toString()));
  }

  /**
   * {@code text} with its line breaks written as {@code \n} and {@code \r}: a record is one line of
   * the log, and must not pass off the rest of its text as lines of their own.
   */
  private static String oneLine(String text) {
    if (text.indexOf('\n') < 0 && text.indexOf('\r') < 0) {
      return text;
    }
    return text.replace("\r", "\\r").replace("\n", "\\n");
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
