package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Instant;

/**
 * One line a plugin's process wrote to its standard output or error or sent as a structured log
 * record, or a notice that lines were dropped. Read with {@link PluginHandle#recentOutput} and {@link PluginHandle#watchOutput}.
 *
 * <p>A line is at most 8 KiB of UTF-8 as written; a longer one is cut, and its text then ends
 * with {@code " ...[N more bytes cut]"}. A trailing carriage return is removed.
 *
 * <p>A <em>drop notice</em> ({@link #dropped()} above zero, {@link #isDropNotice()}) stands where
 * lines were left out: {@code dropped} lines of {@code stream} from process {@code pid}, and its
 * text says why, for people. The host drops lines a process writes faster than its log allows
 * (200 lines a second per stream); such lines reach neither the host's log nor this one, only the
 * count does. A watcher that falls behind also gets drop notices, for lines dropped for it alone.
 *
 * @param time when the host read the line (or, for a notice, when it counted the drop)
 * @param pid the process that wrote it, as the host sees it
 * @param stream which of the process's streams
 * @param text the line, without its line end; for a notice, a sentence saying what was dropped
 * @param dropped 0 for a line; for a drop notice, how many lines it stands for
 */
public record OutputLine(Instant time, long pid, Stream stream, String text, long dropped) {

  /** A process's output stream. */
  public enum Stream {
    STDOUT,
    STDERR,
    /**
     * Structured records the plugin sent through its {@code log} grant, one line each: the level,
     * the message and the record's fields as {@code name=value}.
     */
    LOG
  }

  public OutputLine {
    checkNotNull(time, "time");
    checkNotNull(stream, "stream");
    checkNotNull(text, "text");
    checkArgument(dropped >= 0, "dropped is %s", dropped);
  }

  /** A line as written, not a notice. */
  public OutputLine(Instant time, long pid, Stream stream, String text) {
    this(time, pid, stream, text, 0);
  }

  /** A notice that {@code dropped} lines of {@code stream} were left out, with why in {@code text}. */
  public static OutputLine dropNotice(Instant time, long pid, Stream stream, long dropped, String text) {
    checkArgument(dropped > 0, "a drop notice stands for at least one line, not %s", dropped);
    return new OutputLine(time, pid, stream, text, dropped);
  }

  /** Whether this stands for dropped lines rather than being one. */
  public boolean isDropNotice() {
    return dropped > 0;
  }
}
