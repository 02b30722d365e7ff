package dev.pluginhost.bench.figures;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.OutputLine;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Counts what a plugin's structured log let through, from its output lines ({@link
 * dev.pluginhost.host.PluginHandle#watchOutput}): the records carrying a marker that reached the
 * log, the records the host (or the runner before it) dropped, which its drop notices count, and
 * the lines left out only for this watcher because it fell behind (those reached the log; this
 * tally just did not see them). Lines of other streams and records without the marker are
 * ignored. Thread-safe: one thread may feed it while another reads it.
 */
final class LogTally implements Consumer<OutputLine> {
  /** What the host's notice for a watcher that fell behind says (OutputLog), unlike the log's own drops. */
  static final String WATCHER_BEHIND = "this watcher fell behind";

  private final String marker;
  private final AtomicLong kept = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong missedByWatcher = new AtomicLong();
  private final AtomicLong lastChange = new AtomicLong(System.nanoTime());

  /** @param marker text every record counted carries in its line (its message, or a field) */
  LogTally(String marker) {
    this.marker = checkNotNull(marker, "marker");
  }

  @Override
  public void accept(OutputLine line) {
    if (line.stream() != OutputLine.Stream.LOG) {
      return;
    }
    if (line.isDropNotice()) {
      (line.text().contains(WATCHER_BEHIND) ? missedByWatcher : dropped).addAndGet(line.dropped());
    } else if (line.text().contains(marker)) {
      kept.incrementAndGet();
    } else {
      return;
    }
    lastChange.set(System.nanoTime());
  }

  /** The counts so far. */
  Counts counts() {
    return new Counts(kept.get(), dropped.get(), missedByWatcher.get());
  }

  /** {@link System#nanoTime()} when a counted line last came. */
  long lastChangeNanos() {
    return lastChange.get();
  }

  /**
   * Counts of structured log records.
   *
   * @param kept records with the marker that reached the log
   * @param dropped records the log's drop notices stand for (beyond its rate, or the runner's queue)
   * @param missedByWatcher lines the log kept but this tally's watcher was not handed
   */
  record Counts(long kept, long dropped, long missedByWatcher) {
    /** What came between {@code earlier} and this. */
    Counts minus(Counts earlier) {
      return new Counts(kept - earlier.kept, dropped - earlier.dropped, missedByWatcher - earlier.missedByWatcher);
    }
  }
}
