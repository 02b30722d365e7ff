package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.RunningHost;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix's leak check: the host's threads, open files and heap are where they were
 * after a run of hostile faults, and after a hundred restarts.
 */
class HostileMatrixTestLeaks {
  private static final int THREADS_ALLOWED = 2;
  private static final int FILES_ALLOWED = 2;
  private static final long HEAP_ALLOWED = 16L << 20;
  private static final Duration SETTLE_WITHIN = Duration.ofSeconds(15);

  @TempDir Path tempDir;

  @Test
  void hostsThreadsFilesAndHeap_returnToBaseline_afterARunOfHostileFaults() throws Exception {
    // A first host starts what a JVM starts once (shared event loops, timers, class data).
    try (HostileFixture warmUp = HostileFixture.start(tempDir.resolve("warm-up"), s -> s)) {
      warmUp.assertStillServing(warmUp.hostilePid());
    }
    Usage baseline = Usage.awaitSettled(null);

    try (HostileFixture fixture = HostileFixture.start(tempDir.resolve("matrix"), s -> s)) {
      PluginHandle hostile = fixture.hostile();
      for (String[] fault : new String[][] {
          {"exit", "1"}, {"exhaustDirectMemory", ""}, {"crashJvm", ""}, {"spin", ""}, {"exhaustMetaspace", ""}}) {
        long pid = fixture.hostilePid();
        EventRecorder events = new EventRecorder(hostile);
        assertThrows(PluginCallException.class, () -> hostile.callText(fault[0], fault[1], CALL));
        fixture.awaitRestarted(events, pid);
      }
      assertThrows(PluginCallException.class, () -> hostile.callText("bigResponse", "2000000", CALL));
      assertThrows(PluginCallException.class, () -> hostile.callText("throw", "", CALL));
      try (PluginPipe pipe = hostile.openPipe("sendForever", Duration.ofMillis(500))) {
        assertThrows(PluginCallException.class, () -> {
          while (pipe.receive() != null) {
            // Drains until the deadline.
          }
        });
      }
      assertEquals(Long.toString(64L << 20), hostile.callText("flood", "stderr " + (64L << 20), CALL));
      fixture.hostile().callText("forgeToken", "", CALL);
      fixture.assertStillServing(fixture.hostilePid());
    }

    Usage after = Usage.awaitSettled(baseline);
    after.assertNear(baseline);
  }

  @Test
  void aHundredRestarts_growNeitherThreadsNorOpenFilesNorHeap() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin(
                "crasher",
                // A JVM that compiles less starts sooner: a hundred starts must fit in two minutes.
                s -> s.addJvmOptions("-XX:TieredStopAtLevel=1")
                    .maxHeapMegabytes(64)
                    .restartBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
                    .restartIntensity(1000, Duration.ofMinutes(1))),
            "crasher")) {
      PluginHandle crasher = running.plugin("crasher");
      restart(running, crasher, 5);
      Usage baseline = Usage.awaitSettled(null);

      restart(running, crasher, 100);

      Usage after = Usage.awaitSettled(baseline);
      after.assertNear(baseline);
      assertTrue(crasher.restartCount() >= 105, "restarted " + crasher.restartCount() + " times");
    }
  }

  /** Ends the crasher's process {@code times} times, by SIGKILL or exit in turn, and waits for each restart. */
  private static void restart(RunningHost running, PluginHandle crasher, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      long pid = running.pidOf("crasher");
      EventRecorder events = new EventRecorder(crasher);
      if (i % 2 == 0) {
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      } else {
        assertThrows(PluginCallException.class, () -> crasher.callText("exit", "1", CALL));
      }
      events.await(e -> e.to() == PluginState.RUNNING && e.pid() > 0 && e.pid() != pid, HostileFixture.RESTART_WITHIN);
    }
    assertEquals("pong", crasher.callText("ping", "", CALL));
  }

  /** What the host JVM holds: its threads, open file descriptors, and heap after a GC. */
  private record Usage(int threads, long files, long heap) {

    /**
     * Measures, and with a baseline measures again until threads and files are back near it or
     * the time is up (threads and pipes of an ended process close a little after its end).
     */
    static Usage awaitSettled(Usage baseline) throws Exception {
      long deadline = System.nanoTime() + SETTLE_WITHIN.toNanos();
      while (true) {
        Usage now = measure();
        if (baseline == null || now.isNear(baseline) || System.nanoTime() - deadline >= 0) {
          return now;
        }
        Thread.sleep(100);
      }
    }

    static Usage measure() throws IOException {
      System.gc();
      long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
        return new Usage(hostThreads(), fds.count(), heap);
      }
    }

    /**
     * Live threads, but for idle workers of gRPC's shared cached pool: those end by themselves
     * 60 s after their last task, which says nothing about a leak.
     */
    private static int hostThreads() {
      return (int) Thread.getAllStackTraces().keySet().stream()
          .filter(t -> !t.getName().startsWith("grpc-default-executor"))
          .count();
    }

    boolean isNear(Usage baseline) {
      return threads <= baseline.threads + THREADS_ALLOWED
          && files <= baseline.files + FILES_ALLOWED
          && heap <= baseline.heap + HEAP_ALLOWED;
    }

    void assertNear(Usage baseline) {
      assertTrue(isNear(baseline), "the host holds " + this + ", up from " + baseline);
    }
  }
}
