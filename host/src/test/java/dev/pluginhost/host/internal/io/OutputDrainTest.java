package dev.pluginhost.host.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.OutputLine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutputDrainTest {
  private static final long TIMEOUT_SECONDS = 10;
  private static final double FAST = 1_000_000;

  private final OutputTail tail = new OutputTail(5);
  private final OutputLog output = new OutputLog("test");
  private final List<String> seen = Collections.synchronizedList(new ArrayList<>());

  @Test
  void lines_reachTheTail_withCarriageReturnsStripped_andLastLineWithoutNewline() throws Exception {
    drain(input("one\ntwo\r\nthree"), FAST, line -> false).finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(List.of("one", "two", "three"), tail.snapshot());
    List<OutputLine> kept = output.recent(10);
    assertEquals(List.of("one", "two", "three"), kept.stream().map(OutputLine::text).toList());
    kept.forEach(line -> {
      assertEquals(7, line.pid());
      assertEquals(OutputLine.Stream.STDOUT, line.stream());
      assertFalse(line.isDropNotice());
    });
  }

  @Test
  void endlessLine_isCutAtMaxLineBytes_andDrainKeepsGoing() throws Exception {
    int length = 1 << 20;
    byte[] bytes = ("x".repeat(length) + "\nafter\n").getBytes(StandardCharsets.US_ASCII);

    drain(new ByteArrayInputStream(bytes), FAST, recordAnd(false)).finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    String cut = "x".repeat(OutputDrain.MAX_LINE_BYTES)
        + " ...[" + (length - OutputDrain.MAX_LINE_BYTES) + " more bytes cut]";
    assertEquals(List.of(cut, "after"), seen);
    assertEquals("after", tail.snapshot().get(1));
  }

  @Test
  void endlessLine_atEndOfStream_isStillEmitted() throws Exception {
    byte[] bytes = "z".repeat(OutputDrain.MAX_LINE_BYTES + 10).getBytes(StandardCharsets.US_ASCII);

    drain(new ByteArrayInputStream(bytes), FAST, recordAnd(false)).finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(List.of("z".repeat(OutputDrain.MAX_LINE_BYTES) + " ...[10 more bytes cut]"), seen);
  }

  @Test
  void flood_beyondRate_isDroppedFromLog_butTailHasLastLines() throws Exception {
    int lines = 10_000;
    String text = IntStream.range(0, lines).mapToObj(i -> "line " + i + "\n").collect(Collectors.joining());
    String log;
    PrintStream originalErr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    // slf4j-simple writes to whatever System.err is at the time of each line.
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      // One line a thousand seconds: the first line is logged, every other one is over the rate.
      drain(input(text), 0.001, recordAnd(false)).finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } finally {
      System.setErr(originalErr);
    }
    log = captured.toString(StandardCharsets.UTF_8);

    assertEquals(lines, seen.size());
    assertEquals(List.of("line 9995", "line 9996", "line 9997", "line 9998", "line 9999"), tail.snapshot());
    List<String> logged = log.lines().filter(l -> l.contains("[flood pid 7 stdout] line ")).toList();
    assertEquals(1, logged.size(), log);
    assertTrue(logged.get(0).endsWith("line 0"), logged.get(0));
    assertTrue(log.contains("dropped " + (lines - 1) + " lines of stdout"), log);
    List<OutputLine> kept = output.recent(10);
    assertEquals(2, kept.size(), "the line the rate let through, then the count of the rest: " + kept);
    assertEquals("line 0", kept.get(0).text());
    OutputLine notice = kept.get(1);
    assertTrue(notice.isDropNotice());
    assertEquals(lines - 1, notice.dropped());
    assertEquals(7, notice.pid());
    assertEquals(OutputLine.Stream.STDOUT, notice.stream());
    assertTrue(notice.text().contains((lines - 1) + " lines of stdout"), notice.text());
  }

  @Test
  void interceptor_consumesLines_soTheyNeverReachTheTail() throws Exception {
    String text = "hello\npluginhost-runner: ready\nworld\n";

    drain(input(text), FAST, line -> line.startsWith("pluginhost-runner:"))
        .finished()
        .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(List.of("hello", "world"), tail.snapshot());
    assertEquals(List.of("hello", "world"), output.recent(10).stream().map(OutputLine::text).toList());
  }

  @Test
  void finished_completesOnlyAtEndOfStream() throws Exception {
    PipedOutputStream out = new PipedOutputStream();
    PipedInputStream in = new PipedInputStream(out);
    CountDownLatch firstLine = new CountDownLatch(1);
    OutputDrain drain = drain(in, FAST, line -> {
      firstLine.countDown();
      return false;
    });

    out.write("first\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    assertTrue(firstLine.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertFalse(drain.finished().isDone(), "finished before the stream ended");

    out.close();
    drain.finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertEquals(List.of("first"), tail.snapshot());
  }

  @Test
  void finished_completesWhenTheStreamBreaks_andClosesIt() throws Exception {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream broken = new InputStream() {
      private boolean sent;

      @Override
      public int read() throws IOException {
        if (sent) {
          throw new IOException("pipe broken");
        }
        sent = true;
        return 'a';
      }

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int c = read();
        b[off] = (byte) c;
        return 1;
      }

      @Override
      public void close() {
        closed.set(true);
      }
    };

    drain(broken, FAST, line -> false).finished().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertTrue(closed.get(), "stream not closed");
  }

  private OutputDrain drain(InputStream in, double linesPerSecond, Predicate<String> interceptor) {
    // "quiet" is set to warn in simplelogger.properties, so these lines stay out of the build log.
    String id = linesPerSecond < 1 ? "flood" : "quiet";
    return new OutputDrain(id, 7, OutputLine.Stream.STDOUT, in, tail, output::add, linesPerSecond, interceptor).start();
  }

  private Predicate<String> recordAnd(boolean consume) {
    return line -> {
      seen.add(line);
      return consume;
    };
  }

  private static InputStream input(String text) {
    return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
  }
}
