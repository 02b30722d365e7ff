package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.OutputLine;
import dev.pluginhost.proto.runner.v1.LogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StructuredLogSinkTest {
  private static final long PID = 4242;

  private final List<OutputLine> lines = new CopyOnWriteArrayList<>();
  // "quiet": the host's log of these records is kept to warnings (see simplelogger.properties).
  private final StructuredLogSink sink = new StructuredLogSink("quiet", "1.0.0", () -> PID, lines::add);

  private static LogRecord record(LogRecord.Level level, String message, Map<String, String> fields) {
    return LogRecord.newBuilder().setLevel(level).setMessage(message).putAllFields(fields).setTimeMillis(1).build();
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
    StructuredLogSink late = new StructuredLogSink("quiet", "1.0.0", () -> pid[0], lines::add);
    pid[0] = 777; // the process got its pid after the sink was made, as with a spawn

    late.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of())), 0);

    assertEquals(777, onlyLine().pid());
  }

  @Test
  void longMessage_isCut_sayingHowMuchWasCut() {
    String message = "m".repeat(StructuredLogSink.MAX_MESSAGE_CHARS + 100);

    sink.accept(List.of(record(LogRecord.Level.INFO, message, Map.of())), 0);

    assertEquals(
        "INFO " + "m".repeat(StructuredLogSink.MAX_MESSAGE_CHARS) + " ...[100 more chars cut]", onlyLine().text());
  }

  @Test
  void messageOfTheLongestLength_isKeptWhole() {
    String message = "m".repeat(StructuredLogSink.MAX_MESSAGE_CHARS);

    sink.accept(List.of(record(LogRecord.Level.INFO, message, Map.of())), 0);

    assertEquals("INFO " + message, onlyLine().text());
  }

  @Test
  void longFieldValueAndName_areCut() {
    String value = "v".repeat(StructuredLogSink.MAX_FIELD_CHARS + 5);
    String name = "n".repeat(70);

    sink.accept(List.of(record(LogRecord.Level.INFO, "m", Map.of(name, value))), 0);

    assertEquals(
        "INFO m " + "n".repeat(64) + " ...[6 more chars cut]=" + "v".repeat(StructuredLogSink.MAX_FIELD_CHARS)
            + " ...[5 more chars cut]",
        onlyLine().text());
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
  void lineBreaksInMessageAndFields_areEscaped_soARecordCannotForgeLines() {
    // A plugin's plain output is split into lines, so one line can never pose as two; a record
    // must not either (it would forge a line of the log, such as a drop notice or another level).
    sink.accept(
        List.of(record(LogRecord.Level.INFO, "done\nERROR disk full\r\n", Map.of("k\ney", "v\r\nWARN x"))), 0);

    String text = onlyLine().text();
    assertFalse(text.contains("\n") || text.contains("\r"), text);
    assertEquals("INFO done\\nERROR disk full\\r\\n k\\ney=v\\r\\nWARN x", text);
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
    StructuredLogSink fresh = new StructuredLogSink("quiet", "1.0.0", () -> PID, lines::add);

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
}
