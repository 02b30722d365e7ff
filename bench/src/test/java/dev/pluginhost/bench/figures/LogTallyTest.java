package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pluginhost.host.OutputLine;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LogTallyTest {
  private static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");

  private static OutputLine log(String text) {
    return new OutputLine(NOW, 2, OutputLine.Stream.LOG, text);
  }

  @Test
  void recordsWithTheMarker_areCountedKept_andOthersIgnored() {
    LogTally tally = new LogTally("bench-note");

    tally.accept(log("INFO bench-note i=1 process=2-ab"));
    tally.accept(log("INFO bench-note i=2 process=2-ab"));
    tally.accept(log("INFO something else"));
    tally.accept(new OutputLine(NOW, 2, OutputLine.Stream.STDERR, "bench-note on stderr"));

    assertEquals(new LogTally.Counts(2, 0, 0), tally.counts());
  }

  @Test
  void theLogsDropNotices_countAsDropped_andAWatchersOwn_asMissedByTheWatcher() {
    LogTally tally = new LogTally("bench-note");

    tally.accept(OutputLine.dropNotice(NOW, 2, OutputLine.Stream.LOG, 150,
        "150 log records from pid 2 were dropped: the plugin sent them faster than the log allows (200 a second)"));
    tally.accept(OutputLine.dropNotice(NOW, 2, OutputLine.Stream.LOG, 7,
        "7 lines of log from pid 2 were left out here: this watcher fell behind"));
    tally.accept(OutputLine.dropNotice(NOW, 2, OutputLine.Stream.STDOUT, 9, "9 lines of stdout from pid 2 were dropped"));

    assertEquals(new LogTally.Counts(0, 150, 7), tally.counts());
  }

  @Test
  void countsMinusEarlierCounts_isWhatCameBetween() {
    assertEquals(
        new LogTally.Counts(5, 100, 1), new LogTally.Counts(15, 300, 3).minus(new LogTally.Counts(10, 200, 2)));
  }
}
