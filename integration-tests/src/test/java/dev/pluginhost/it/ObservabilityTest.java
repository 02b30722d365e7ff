package dev.pluginhost.it;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.Registration;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What an operator's status, logs and metrics read from the host, on a real hello plugin. */
class ObservabilityTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle hello;

  @BeforeAll
  static void start() throws Exception {
    running = RunningHost.start(tempDir, "hello");
    hello = running.plugin("hello");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void recentOutput_holdsWhatThePluginWroteAsItStarted() throws Exception {
    long pid = running.pidOf("hello");

    OutputLine ready = awaitRecentLine(l -> l.text().contains("hello is ready to greet with 'Hello'"));

    assertEquals(pid, ready.pid());
    assertEquals(OutputLine.Stream.STDERR, ready.stream(), "the plugin's logger writes to stderr");
    assertTrue(
        hello.recentOutput(1000).stream().noneMatch(l -> l.text().startsWith("pluginhost-runner: ready")),
        "the runner's ready line is the host's, not the plugin's output");
  }

  @Test
  void watchOutput_getsEachLaterLine_untilClosed() throws Exception {
    long pid = running.pidOf("hello");
    LinkedBlockingQueue<OutputLine> watched = new LinkedBlockingQueue<>();
    String first = "watched-" + System.nanoTime();
    String second = "unwatched-" + System.nanoTime();
    // A direct executor: a line the log holds has then been handed to the watcher already.
    Registration registration = hello.watchOutput(watched::add, directExecutor());
    try {
      // The runner writes a failed function's exception to stderr.
      assertThrows(PluginCallException.class, () -> hello.callText("fail", first, TIMEOUT));

      OutputLine line = awaitLine(watched, l -> l.text().contains(first));
      assertEquals(pid, line.pid());
      assertEquals(OutputLine.Stream.STDERR, line.stream());
    } finally {
      registration.close();
    }

    assertThrows(PluginCallException.class, () -> hello.callText("fail", second, TIMEOUT));
    awaitRecentLine(l -> l.text().contains(second));

    assertTrue(watched.stream().noneMatch(l -> l.text().contains(second)), "a line reached a closed watcher");
  }

  @Test
  void metrics_countSuccessesAndFailuresByCode_andTimeThem() throws Exception {
    PluginMetrics before = hello.metrics();

    for (int i = 0; i < 5; i++) {
      assertEquals("Hello, " + i + "!", hello.callText("greet", Integer.toString(i), TIMEOUT));
    }
    PluginCallException thrown =
        assertThrows(PluginCallException.class, () -> hello.callText("fail", "counted", TIMEOUT));
    assertEquals(Status.Code.UNKNOWN, thrown.code());
    PluginCallException rejected =
        assertThrows(PluginCallException.class, () -> hello.callText("reject", "counted", TIMEOUT));
    assertEquals(Status.Code.INVALID_ARGUMENT, rejected.code());
    List<CallOutcome> mapped =
        hello.map("greet", List.of(bytes("a"), bytes("b"), bytes("c")), MapOptions.timeout(TIMEOUT).chunkSize(2));
    assertTrue(mapped.stream().allMatch(CallOutcome::succeeded));
    try (PluginPipe pipe = hello.openPipe("shout", TIMEOUT)) {
      pipe.send(bytes("hey"));
      pipe.closeSend();
      assertEquals("HEY", new String(pipe.receive(), StandardCharsets.UTF_8));
      assertEquals(null, pipe.receive());
    }

    PluginMetrics after = awaitPipeCounted(before);

    PluginMetrics.Calls calls = after.calls();
    assertEquals(7, calls.started() - before.calls().started());
    assertEquals(5, calls.succeeded() - before.calls().succeeded());
    assertEquals(1, count(calls, Status.Code.UNKNOWN) - count(before.calls(), Status.Code.UNKNOWN));
    assertEquals(
        1, count(calls, Status.Code.INVALID_ARGUMENT) - count(before.calls(), Status.Code.INVALID_ARGUMENT));
    assertEquals(0, calls.inFlight());
    PluginMetrics.Latency latency = calls.latency();
    assertEquals(calls.succeeded() + calls.failed(), latency.count());
    assertTrue(latency.p50().compareTo(Duration.ZERO) > 0, "p50 " + latency.p50());
    assertTrue(latency.p50().compareTo(latency.p90()) <= 0 && latency.p90().compareTo(latency.p99()) <= 0);
    assertTrue(latency.p99().compareTo(latency.max()) <= 0);
    assertTrue(latency.max().compareTo(TIMEOUT) < 0, "max " + latency.max());
    assertEquals(latency.count(), calls.recentLatency().count(), "every call was within the last minute");

    assertEquals(2, after.mapChunks().succeeded() - before.mapChunks().succeeded());
    assertEquals(3, after.mapItemsSucceeded() - before.mapItemsSucceeded());
    assertEquals(1, after.pipes().succeeded() - before.pipes().succeeded());
  }

  @Test
  void processes_reportTheResidentMemoryOfThePluginsJvm() {
    long pid = running.pidOf("hello");

    ProcessInfo info =
        hello.processes().stream().filter(p -> p.pid() == pid).findFirst().orElseThrow();

    // A JVM serving gRPC holds tens of megabytes; less would mean the wrong process was read.
    assertTrue(info.residentBytes() > 20L << 20, info.residentBytes() + " bytes");
    assertTrue(info.residentBytes() < 4L << 30, info.residentBytes() + " bytes");
  }

  /** A pipe is counted once its stream has ended on the host's side, just after receive() saw it. */
  private static PluginMetrics awaitPipeCounted(PluginMetrics before) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      PluginMetrics now = hello.metrics();
      if (now.pipes().inFlight() == 0 && now.pipes().started() > before.pipes().started()) {
        return now;
      }
      if (System.nanoTime() > deadline) {
        return fail("the pipe never finished in the metrics: " + now.pipes());
      }
      Thread.sleep(10);
    }
  }

  private static long count(PluginMetrics.Calls calls, Status.Code code) {
    return calls.failedByCode().getOrDefault(code, 0L);
  }

  private static OutputLine awaitLine(LinkedBlockingQueue<OutputLine> lines, Predicate<OutputLine> matching)
      throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      OutputLine line = lines.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertNotNull(line, "no matching line within " + TIMEOUT);
      if (matching.test(line)) {
        return line;
      }
    }
  }

  /** The output is read on threads of its own: a line may land a moment after the call returned. */
  private static OutputLine awaitRecentLine(Predicate<OutputLine> matching) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      List<OutputLine> recent = hello.recentOutput(1000);
      for (OutputLine line : recent) {
        if (matching.test(line)) {
          return line;
        }
      }
      if (System.nanoTime() > deadline) {
        return fail("no matching line within " + TIMEOUT + " in " + recent);
      }
      Thread.sleep(10);
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
