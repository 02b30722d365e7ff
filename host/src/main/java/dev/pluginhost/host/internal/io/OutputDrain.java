package dev.pluginhost.host.internal.io;

import com.google.common.util.concurrent.RateLimiter;
import com.google.common.util.concurrent.SettableFuture;
import java.io.IOException;
import java.io.InputStream;
import dev.pluginhost.host.OutputLine;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one output stream of a plugin process to its end, on a thread of its own, and passes its
 * lines to the host's log, tagged with the plugin and pid, and to the plugin's {@link OutputLog}.
 *
 * <p>It never stops reading, so a plugin can never block on a full pipe, and it holds at most one
 * line of {@link #MAX_LINE_BYTES} in memory, so a plugin writing without end (or one endless
 * line) cannot grow the host's heap. Lines beyond a rate are counted, not logged, and the count
 * is logged once the rate allows again. The output log gets exactly what the host's log gets: the
 * lines within the rate, and a drop notice with the count for those beyond it.
 */
public final class OutputDrain {
  /** Longer lines are cut here; the rest of the line is counted and dropped. */
  public static final int MAX_LINE_BYTES = 8192;

  private static final int READ_BUFFER_BYTES = 16 * 1024;

  private final String tag;
  private final long pid;
  private final OutputLine.Stream stream;
  private final String streamName;
  private final InputStream in;
  private final OutputTail tail;
  private final Consumer<OutputLine> sink;
  private final double linesPerSecond;
  private final RateLimiter rate;
  private final Logger log;
  private final Predicate<String> interceptor;
  private final SettableFuture<Void> finished = SettableFuture.create();
  private long droppedLines;

  /**
   * @param pluginId the plugin, for the logger's name and each line's tag
   * @param pid the process, for each line's tag
   * @param stream which stream of the process this is
   * @param tail where every line is also kept, rate or not
   * @param sink gets each line that reaches the log, and each drop notice; must not block
   * @param linesPerSecond how many lines a second reach the log
   * @param interceptor sees each line first; a line it returns true for is consumed, not logged
   */
  public OutputDrain(
      String pluginId,
      long pid,
      OutputLine.Stream stream,
      InputStream in,
      OutputTail tail,
      Consumer<OutputLine> sink,
      double linesPerSecond,
      Predicate<String> interceptor) {
    this.pid = pid;
    this.stream = stream;
    this.streamName = stream.name().toLowerCase(Locale.ROOT);
    this.tag = pluginId + " pid " + pid + " " + streamName;
    this.in = in;
    this.tail = tail;
    this.sink = sink;
    this.linesPerSecond = linesPerSecond;
    this.rate = RateLimiter.create(linesPerSecond);
    this.log = LoggerFactory.getLogger("dev.pluginhost.plugin." + pluginId);
    this.interceptor = interceptor;
  }

  /** Starts draining on a daemon thread. */
  public OutputDrain start() {
    Thread thread = new Thread(this::drain, "pluginhost-drain-" + tag.replace(' ', '-'));
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  /** Completes when the stream has ended (the process and all that shared it closed it). */
  public SettableFuture<Void> finished() {
    return finished;
  }

  private void drain() {
    byte[] buffer = new byte[READ_BUFFER_BYTES];
    byte[] line = new byte[MAX_LINE_BYTES];
    int lineLength = 0;
    long cutBytes = 0;
    try {
      int n;
      while ((n = in.read(buffer)) >= 0) {
        for (int i = 0; i < n; i++) {
          byte b = buffer[i];
          if (b == '\n') {
            emit(line, lineLength, cutBytes);
            lineLength = 0;
            cutBytes = 0;
          } else if (lineLength < MAX_LINE_BYTES) {
            line[lineLength++] = b;
          } else {
            cutBytes++;
          }
        }
      }
      if (lineLength > 0 || cutBytes > 0) {
        emit(line, lineLength, cutBytes);
      }
    } catch (IOException e) {
      // The pipe broke: the process is gone. Nothing more will come.
    } finally {
      reportDropped();
      try {
        in.close();
      } catch (IOException ignored) {
        // Closing a dead pipe.
      }
      finished.set(null);
    }
  }

  private void emit(byte[] bytes, int length, long cutBytes) {
    int end = length > 0 && bytes[length - 1] == '\r' ? length - 1 : length;
    String text = new String(bytes, 0, end, StandardCharsets.UTF_8);
    if (cutBytes > 0) {
      text = text + " ...[" + cutBytes + " more bytes cut]";
    }
    if (interceptor.test(text)) {
      return;
    }
    tail.add(text);
    if (!rate.tryAcquire()) {
      droppedLines++;
      return;
    }
    reportDropped();
    log.info("[{}] {}", tag, text);
    toSink(new OutputLine(Instant.now(), pid, stream, text));
  }

  private void reportDropped() {
    if (droppedLines > 0) {
      log.warn("[{}] dropped {} lines of {}: the plugin wrote faster than the log allows", tag, droppedLines, streamName);
      toSink(
          OutputLine.dropNotice(
              Instant.now(), pid, stream, droppedLines,
              droppedLines + " lines of " + streamName + " from pid " + pid + " were dropped: it wrote faster than the "
                  + Math.round(linesPerSecond) + " lines a second the host's log takes"));
      droppedLines = 0;
    }
  }

  private void toSink(OutputLine line) {
    try {
      sink.accept(line);
    } catch (RuntimeException e) {
      // This thread must go on reading whatever happens, or the plugin blocks on a full pipe.
      log.warn("[{}] could not keep a line of output", tag, e);
    }
  }
}
