package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.base.Ticker;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.proto.runner.v1.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StructuredLogSinkTest {
  private static final long PID = 4242;

  /** A clock the test moves by hand. */
  private static final class FakeTicker extends Ticker {
    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);

    @Override
    public long read() {
      return nanos.get();
    }

    void advance(long amount, TimeUnit unit) {
      nanos.addAndGet(unit.toNanos(amount));
    }
  }

  private final List<OutputLine> lines = new CopyOnWriteArrayList<>();
  private final FakeTicker ticker = new FakeTicker();
  // "quiet": the host's log of these records is kept to warnings (see simplelogger.properties).
  private final StructuredLogSink sink = new StructuredLogSink("quiet", "1.0.0", () -> PID, lines::add, ticker);

  private static LogRecord record(LogRecord.Level level, String message, Map<String, String> fields) {
    return LogRecord.newBuilder().setLevel(level).setMessage(message).putAllFields(fields).build();
  }

  private List<OutputLine> notices() {
    return lines.stream().filter(OutputLine::isDropNotice).toList();
  }

  private OutputLine onlyLine() {
    assertEquals(1, lines.size(), "lines: " + lines);
    return lines.get(0);
  }

  @Test
  void record_becomesOneLogLine_withLevelMessageAndFieldsSortedByName() {
    Map<String, String> fields = new TreeMap<>(java.util.Comparator.reverseOrder());
    fields.put("url", "http://example.test/a");
    fields.put("status", "200");
    fields.put("attempt", "2");

    sink.accept(List.of(record(LogRecord.Level.WARN, "fetched slowly", fields)), 0);

    OutputLine line = onlyLine();
    assertEquals("WARN fetched slowly attempt=2 status=200 url=http://example.test/a", line.text());
    assertEquals(OutputLine.Stream.LOG, line.stream());
    assertEquals(PID, line.pid());
    assertFalse(line.isDropNotice());
  }

  @Test
  void record_withoutFields_isLevelAndMessageOnly() {
    sink.accept(List.of(record(LogRecord.Level.INFO, "started", Map.of())), 0);

    assertEquals("INFO started", onlyLine().text());
  }

  @ParameterizedTest
  @CsvSource({"TRACE, TRACE", "DEBUG, DEBUG", "INFO, INFO", "WARN, WARN", "ERROR, ERROR", "LEVEL_UNSPECIFIED, INFO"})
  void eachLevel_isNamedAtTheStartOfItsLine(LogRecord.Level level, String shown) {
    sink.accept(List.of(record(level, "m", Map.of())), 0);

    assertEquals(shown + " m", onlyLine().text());
  }

  @Test
  void unknownLevelNumber_isShownAsInfo() {
    sink.accept(List.of(LogRecord.newBuilder().setLevelValue(99).setMessage("m").build()), 0);

    assertEquals("INFO m", onlyLine().text());
  }

  @Test
  void pid_isReadWhenTheRecordArrives() {
    long[] pid = {0};
    StructuredLogSink late = new StructuredLogSink("quiet", "1.0.0", () -> pid[0], lines::add, ticker);
    pid[0] = 777; // the process got its pid after the sink was made, as with a spawn

    late.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of())), 0);

    assertEquals(777, onlyLine().pid());
  }

  @Test
  void longMessage_isCut_toTheLineLimit_sayingHowMuchWasCut() {
    String message = "m".repeat(StructuredLogSink.MAX_LINE_CHARS + 100);

    sink.accept(List.of(record(LogRecord.Level.INFO, message, Map.of())), 0);

    // "INFO " takes 5 of the line's chars: 105 of the message's are cut.
    assertEquals(
        "INFO " + "m".repeat(StructuredLogSink.MAX_LINE_CHARS - 5) + " ...[105 more chars cut]", onlyLine().text());
  }

  @Test
  void lineOfTheLongestLength_isKeptWhole() {
    String message = "m".repeat(StructuredLogSink.MAX_LINE_CHARS - "INFO ".length());

    sink.accept(List.of(record(LogRecord.Level.INFO, message, Map.of())), 0);

    assertEquals("INFO " + message, onlyLine().text());
  }

  @Test
  void longFields_makingTheLineTooLong_areCutWithTheLine() {
    Map<String, String> fields = new TreeMap<>();
    for (int i = 0; i < 20; i++) {
      fields.put(String.format("f%02d", i), "v".repeat(1000));
    }

    sink.accept(List.of(record(LogRecord.Level.INFO, "m", fields)), 0);

    String text = onlyLine().text();
    assertTrue(text.startsWith("INFO m f00="), text.substring(0, 20));
    assertTrue(text.endsWith(" more chars cut]"), text.substring(text.length() - 30));
    assertTrue(text.length() < StructuredLogSink.MAX_LINE_CHARS + 40, "line of " + text.length());
  }

  @Test
  void longFieldValue_isCutTo1024Chars() {
    sink.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of("k", "v".repeat(1024 + 5)))), 0);

    assertEquals("INFO m k=" + "v".repeat(1024) + " ...[5 more chars cut]", onlyLine().text());
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "has space", "a=b", "new\nline", "semi;colon", "sl/ash", "quote\"", "\u00e9", "",
      "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn", // 65 chars
      "plugin", "version", "pid"})
  void fieldName_notOfLettersDigitsDotDashUnderscore_orTheHostsOwn_isDropped(String name) {
    sink.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of(name, "forged", "kept", "1"))), 0);

    assertEquals("INFO m kept=1", onlyLine().text());
  }

  @Test
  void fieldName_ofLettersDigitsDotDashUnderscore_upTo64Chars_isKept() {
    String longest = "n".repeat(64);

    sink.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of("http.status-code_2", "200", longest, "x"))), 0);

    assertEquals("INFO m http.status-code_2=200 " + longest + "=x", onlyLine().text());
  }

  @Test
  void fieldsPastTheLimit_areLeftOut() {
    Map<String, String> fields = new TreeMap<>();
    for (int i = 0; i < StructuredLogSink.MAX_FIELDS + 10; i++) {
      fields.put(String.format("f%02d", i), "x");
    }

    sink.accept(List.of(record(LogRecord.Level.INFO, "m", fields)), 0);

    String text = onlyLine().text();
    assertEquals(StructuredLogSink.MAX_FIELDS, text.split(" ").length - 2, text);
  }

  @Test
  void controlCharactersInMessageAndFields_areEscaped_soARecordCannotForgeLines() {
    // A plugin's plain output is split into lines, so one line can never pose as two; a record
    // must not either (it would forge a line of the log, such as a drop notice or another level).
    sink.accept(
        List.of(record(LogRecord.Level.INFO, "done\nERROR disk full\r\n\tbell\u0007", Map.of("k", "v\r\nWARN x\u001b[31m"))), 0);

    String text = onlyLine().text();
    assertFalse(text.chars().anyMatch(Character::isISOControl), text);
    assertEquals("INFO done\\nERROR disk full\\r\\n\\tbell\\u0007 k=v\\r\\nWARN x\\u001b[31m", text);
  }

  @Test
  void droppedByTheRunner_becomesADropNotice_withTheCount() {
    sink.accept(List.of(), 7);

    OutputLine notice = onlyLine();
    assertTrue(notice.isDropNotice());
    assertEquals(7, notice.dropped());
    assertEquals(OutputLine.Stream.LOG, notice.stream());
    assertEquals(PID, notice.pid());
    assertTrue(notice.text().contains("7 log records from pid 4242 were dropped"), notice.text());
  }

  @Test
  void droppedByTheRunner_isNoticedAfterTheRecordsThatCame() {
    sink.accept(List.of(record(LogRecord.Level.INFO, "kept", Map.of())), 3);

    assertEquals(2, lines.size(), "lines: " + lines);
    assertEquals("INFO kept", lines.get(0).text());
    assertEquals(3, lines.get(1).dropped());
  }

  @Test
  void nothingDropped_meansNoNotice() {
    sink.accept(List.of(record(LogRecord.Level.INFO, "kept", Map.of())), 0);

    assertFalse(onlyLine().isDropNotice());
  }

  @Test
  void recordsFasterThanTheRate_areDropped_andCountedInOneNotice() {
    // The sink's rate limiter reads the real clock, which this test cannot hold still; it bounds
    // what may pass by the time the batch took instead.
    int sent = 1_000;
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < sent; i++) {
      records.add(record(LogRecord.Level.INFO, "r" + i, Map.of()));
    }
    long start = System.nanoTime(); // the limiter starts empty when the sink is made, and fills with time
    StructuredLogSink fresh = new StructuredLogSink("quiet", "1.0.0", () -> PID, lines::add, ticker);

    fresh.accept(records, 0);

    double seconds = (System.nanoTime() - start) / 1e9;
    List<OutputLine> kept = lines.stream().filter(line -> !line.isDropNotice()).toList();
    List<OutputLine> notices = lines.stream().filter(OutputLine::isDropNotice).toList();
    assertEquals(1, notices.size(), "one notice for the batch");
    assertEquals(sent, kept.size() + notices.get(0).dropped(), "every record is either kept or counted");
    long allowed = 2 + (long) Math.ceil(seconds * StructuredLogSink.RECORDS_PER_SECOND);
    assertTrue(kept.size() <= allowed, kept.size() + " records kept in " + seconds + " s");
    assertEquals(lines.get(lines.size() - 1), notices.get(0), "the notice comes after the kept records");
    assertEquals("INFO r0", kept.get(0).text(), "records are kept in order");
  }

  @Test
  void rateDropsAndRunnerDrops_addUpInTheNotice() {
    List<LogRecord> records = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      records.add(record(LogRecord.Level.INFO, "r" + i, Map.of()));
    }

    sink.accept(records, 1_000_000);

    List<OutputLine> kept = lines.stream().filter(line -> !line.isDropNotice()).toList();
    OutputLine notice = lines.get(lines.size() - 1);
    assertEquals(1_000_000 + 500 - kept.size(), notice.dropped());
  }

  @Test
  void negativeDropCount_fromTheRunner_countsAsNone() {
    sink.accept(List.of(), -5);
    sink.accept(List.of(record(LogRecord.Level.INFO, "kept", Map.of())), Long.MIN_VALUE);

    assertEquals("INFO kept", onlyLine().text());
    sink.accept(List.of(), 3);
    assertEquals(3, notices().get(0).dropped(), "a negative count was subtracted");
  }

  @Test
  void dropNotices_comeAtMostOnceASecond_andTheDropsBetweenAreCountedInTheNext() {
    sink.accept(List.of(), 3);
    assertEquals(1, notices().size());

    sink.accept(List.of(), 4);
    ticker.advance(999, TimeUnit.MILLISECONDS);
    sink.accept(List.of(record(LogRecord.Level.INFO, "kept", Map.of())), 1);
    assertEquals(1, notices().size(), "a second notice within the second: " + lines);

    ticker.advance(1, TimeUnit.MILLISECONDS);
    sink.accept(List.of(), 0);

    List<OutputLine> notices = notices();
    assertEquals(2, notices.size(), "lines: " + lines);
    assertEquals(3, notices.get(0).dropped());
    assertEquals(5, notices.get(1).dropped(), "the drops held back in that second");
    assertTrue(notices.get(1).text().contains("5 log records from pid 4242 were dropped"), notices.get(1).text());
  }

  @Test
  void noDropsSinceTheLastNotice_meansNoNotice_evenASecondLater() {
    sink.accept(List.of(), 3);
    ticker.advance(5, TimeUnit.SECONDS);

    sink.accept(List.of(record(LogRecord.Level.INFO, "kept", Map.of())), 0);

    assertEquals(1, notices().size(), "lines: " + lines);
  }
}
