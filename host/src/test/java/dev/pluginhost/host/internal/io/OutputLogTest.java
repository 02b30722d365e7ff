package dev.pluginhost.host.internal.io;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.Registration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class OutputLogTest {
  private static final long TIMEOUT_SECONDS = 10;

  /** Holds the tasks it is given until the test runs them. */
  private static final class HeldExecutor implements java.util.concurrent.Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
      tasks.add(task);
    }

    synchronized int waiting() {
      return tasks.size();
    }

    /** Runs the tasks waiting now, and those they add, until none is left. */
    void runAll() {
      while (true) {
        Runnable next;
        synchronized (this) {
          next = tasks.poll();
        }
        if (next == null) {
          return;
        }
        next.run();
      }
    }
  }

  private static OutputLine line(String text) {
    return line(1, OutputLine.Stream.STDOUT, text);
  }

  private static OutputLine line(long pid, OutputLine.Stream stream, String text) {
    return new OutputLine(Instant.EPOCH, pid, stream, text);
  }

  private static List<String> texts(List<OutputLine> lines) {
    return lines.stream().map(OutputLine::text).toList();
  }

  @Test
  void recent_givesTheLastLinesOldestFirst() {
    OutputLog log = new OutputLog("p");
    IntStream.range(0, 5).forEach(i -> log.add(line("line " + i)));

    assertEquals(List.of("line 2", "line 3", "line 4"), texts(log.recent(3)));
    assertEquals(5, log.recent(100).size());
    assertEquals(List.of(), log.recent(0));
    assertThrows(IllegalArgumentException.class, () -> log.recent(-1));
  }

  @Test
  void recent_keepsAtMostItsLineBound_droppingTheOldest() {
    OutputLog log = new OutputLog("p", 3, 1 << 20, 10, 1 << 20);
    IntStream.range(0, 10).forEach(i -> log.add(line("line " + i)));

    assertEquals(List.of("line 7", "line 8", "line 9"), texts(log.recent(100)));
  }

  @Test
  void recent_keepsAtMostItsByteBound_butAlwaysTheNewestLine() {
    // 100 bytes hold two lines of 20 characters (40 bytes each), not three.
    OutputLog log = new OutputLog("p", 1000, 100, 10, 1 << 20);
    IntStream.range(0, 5).forEach(i -> log.add(line(("" + i).repeat(20))));
    assertEquals(List.of("3".repeat(20), "4".repeat(20)), texts(log.recent(100)));

    log.add(line("x".repeat(500)));
    assertEquals(List.of("x".repeat(500)), texts(log.recent(100)), "a line over the bound on its own is still kept");
  }

  @Test
  void defaultBounds_holdAFloodOfLongLinesToAboutAMebibyte() {
    OutputLog log = new OutputLog("p");
    String longLine = "y".repeat(OutputDrain.MAX_LINE_BYTES);
    IntStream.range(0, 10_000).forEach(i -> log.add(line(longLine)));

    List<OutputLine> kept = log.recent(OutputLog.MAX_LINES);
    long bytes = kept.stream().mapToLong(l -> 2L * l.text().length()).sum();
    assertTrue(bytes <= OutputLog.MAX_BYTES, bytes + " bytes kept");
    assertEquals(OutputLog.MAX_BYTES / (2L * OutputDrain.MAX_LINE_BYTES), kept.size());
  }

  @Test
  void watch_getsEveryLaterLineInOrder_notTheOnesBefore() {
    OutputLog log = new OutputLog("p");
    log.add(line("before"));
    List<OutputLine> seen = Collections.synchronizedList(new ArrayList<>());

    log.watch(seen::add, directExecutor());
    log.add(line(1, OutputLine.Stream.STDOUT, "out"));
    log.add(line(2, OutputLine.Stream.STDERR, "err"));

    assertEquals(List.of("out", "err"), texts(seen));
    assertEquals(List.of(2L, OutputLine.Stream.STDERR), List.of(seen.get(1).pid(), seen.get(1).stream()));
  }

  @Test
  void watch_closed_getsNothingMore_andClosingTwiceIsHarmless() {
    OutputLog log = new OutputLog("p");
    List<OutputLine> seen = Collections.synchronizedList(new ArrayList<>());
    Registration registration = log.watch(seen::add, directExecutor());
    log.add(line("one"));

    registration.close();
    registration.close();
    log.add(line("two"));

    assertEquals(List.of("one"), texts(seen));
    assertEquals(0, log.watcherCount());
  }

  @Test
  void watch_closedWhileLinesWaitOnItsExecutor_skipsThem() {
    OutputLog log = new OutputLog("p");
    HeldExecutor executor = new HeldExecutor();
    List<OutputLine> seen = new ArrayList<>();
    Registration registration = log.watch(seen::add, executor);
    log.add(line("queued"));

    registration.close();
    executor.runAll();

    assertEquals(List.of(), seen);
  }

  @Test
  void slowWatcher_missesWhatOverflowsItsQueue_thenGetsADropNoticePerStreamWithTheCount() {
    OutputLog log = new OutputLog("p", 1000, 1 << 20, 3, 1 << 20);
    HeldExecutor executor = new HeldExecutor();
    List<OutputLine> seen = new ArrayList<>();
    log.watch(seen::add, executor);

    for (int i = 0; i < 10; i++) {
      log.add(line(7, i % 2 == 0 ? OutputLine.Stream.STDOUT : OutputLine.Stream.STDERR, "line " + i));
    }
    assertEquals(1, executor.waiting(), "one delivery task, however many lines");
    assertEquals(10, log.recent(100).size(), "the log itself keeps everything within its bounds");

    executor.runAll();

    assertEquals(List.of("line 0", "line 1", "line 2"), texts(seen.subList(0, 3)));
    List<OutputLine> notices = seen.subList(3, seen.size());
    assertEquals(2, notices.size(), "one notice per process stream: " + seen);
    assertTrue(notices.stream().allMatch(OutputLine::isDropNotice));
    assertEquals(List.of(OutputLine.Stream.STDERR, OutputLine.Stream.STDOUT), notices.stream().map(OutputLine::stream).toList());
    assertEquals(List.of(4L, 3L), notices.stream().map(OutputLine::dropped).toList());
    assertTrue(notices.get(0).text().contains("4 lines of stderr from pid 7"), notices.get(0).text());

    log.add(line("after"));
    executor.runAll();
    assertEquals("after", seen.get(seen.size() - 1).text(), "a watcher that caught up gets lines again");
  }

  @Test
  void slowWatcher_givenALineOnceItHasRoomAgain_getsTheNoticeBeforeThatLine() {
    OutputLog log = new OutputLog("p", 1000, 1 << 20, 2, 1 << 20);
    HeldExecutor executor = new HeldExecutor();
    List<OutputLine> seen = new ArrayList<>();
    log.watch(
        l -> {
          seen.add(l);
          if (l.text().equals("b")) {
            // Its queue is empty again, and a line arrives before the notice has gone out.
            log.add(line("c"));
          }
        },
        executor);
    log.add(line("a"));
    log.add(line("b"));
    log.add(line("dropped"));

    executor.runAll();

    assertEquals(List.of("a", "b"), texts(seen.subList(0, 2)));
    assertEquals(1, seen.get(2).dropped());
    assertEquals("c", seen.get(3).text());
    assertEquals(4, seen.size());
  }

  @Test
  void slowWatcher_countsADropNoticeItMissesAsTheLinesItStandsFor() {
    OutputLog log = new OutputLog("p", 1000, 1 << 20, 1, 1 << 20);
    HeldExecutor executor = new HeldExecutor();
    List<OutputLine> seen = new ArrayList<>();
    log.watch(seen::add, executor);
    log.add(line("first"));

    log.add(OutputLine.dropNotice(Instant.EPOCH, 1, OutputLine.Stream.STDOUT, 500, "500 lines were dropped"));
    log.add(line("missed"));
    executor.runAll();

    assertEquals(List.of(0L, 501L), seen.stream().map(OutputLine::dropped).toList());
  }

  @Test
  void blockedWatcher_neverHoldsUpTheWriter_andEveryLineIsDeliveredOrCounted() throws Exception {
    OutputLog log = new OutputLog("p");
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch caughtUp = new CountDownLatch(1);
    CountDownLatch sawLast = new CountDownLatch(1);
    List<OutputLine> seen = Collections.synchronizedList(new ArrayList<>());
    ExecutorService executor = Executors.newSingleThreadExecutor();
    try {
      log.watch(
          l -> {
            awaitQuietly(release);
            seen.add(l);
            if (l.isDropNotice()) {
              caughtUp.countDown();
            }
            if (l.text().equals("last")) {
              sawLast.countDown();
            }
          },
          executor);
      int lines = 100_000;
      // The listener is stuck on its first line the whole time; the writer must not wait for it.
      for (int i = 0; i < lines; i++) {
        log.add(line("line " + i));
      }
      release.countDown();
      // Once it has caught up (its notice comes after the queue), a new line reaches it again.
      assertTrue(caughtUp.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the watcher never caught up");
      log.add(line("last"));

      assertTrue(sawLast.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the watcher never got the last line");
      synchronized (seen) {
        long delivered = seen.stream().filter(l -> !l.isDropNotice()).count();
        long counted = seen.stream().mapToLong(OutputLine::dropped).sum();
        assertEquals(lines + 1, delivered + counted, "lines delivered plus lines counted as dropped");
        assertTrue(delivered <= OutputLog.WATCH_QUEUE_LINES + 2, delivered + " lines delivered");
      }
    } finally {
      release.countDown();
      executor.shutdownNow();
      assertTrue(executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    }
  }

  @Test
  void watcherOnADirectExecutor_takesLinesFromTwoWritersInTheOrderTheLogKeepsThem() throws Exception {
    OutputLog log = new OutputLog("p");
    List<OutputLine> seen = Collections.synchronizedList(new ArrayList<>());
    log.watch(seen::add, directExecutor());
    Thread[] writers = new Thread[2];
    for (int w = 0; w < 2; w++) {
      int writer = w;
      writers[w] = new Thread(() -> IntStream.range(0, 400).forEach(i -> log.add(line(writer + ":" + i))));
      writers[w].start();
    }
    for (Thread writer : writers) {
      writer.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
    }

    assertEquals(texts(log.recent(1000)), texts(seen));
  }

  @Test
  void watcherThatThrows_stillGetsTheLinesAfter() {
    OutputLog log = new OutputLog("p");
    List<String> seen = new ArrayList<>();
    log.watch(
        l -> {
          seen.add(l.text());
          throw new IllegalStateException("watcher failed on purpose");
        },
        directExecutor());

    log.add(line("one"));
    log.add(line("two"));

    assertEquals(List.of("one", "two"), seen);
  }

  @Test
  void watcherWhoseExecutorRejects_isClosed() {
    OutputLog log = new OutputLog("p");
    log.watch(l -> {}, task -> {
      throw new RejectedExecutionException("shut down");
    });

    log.add(line("one"));

    assertEquals(0, log.watcherCount());
  }

  @Test
  void watcherOnASharedExecutor_handsOverABatchAtATime() {
    OutputLog log = new OutputLog("p");
    HeldExecutor executor = new HeldExecutor();
    List<OutputLine> seen = new ArrayList<>();
    log.watch(seen::add, executor);
    IntStream.range(0, 250).forEach(i -> log.add(line("line " + i)));

    Runnable first;
    synchronized (executor) {
      first = executor.tasks.poll();
    }
    first.run();

    assertEquals(100, seen.size());
    assertEquals(1, executor.waiting(), "the rest waits behind other work");
    executor.runAll();
    assertEquals(250, seen.size());
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
