package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.SteadyCalls;
import io.grpc.Status;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, output floods: a plugin writing a gigabyte as fast as it can neither blocks
 * forever nor grows the host's heap, and hello next door misses nothing.
 */
class HostileMatrixTestOutput {
  private static final long GIGABYTE = 1L << 30;
  private static final long HEAP_GROWTH_ALLOWED = 32L << 20;
  private static final Duration FLOOD_CALL_LIMIT = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    fixture = HostileFixture.start(tempDir, s -> s.callTimeLimit(FLOOD_CALL_LIMIT));
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void gigabyteToStdout_keepsTheHostsHeapBounded_andTheCallEnds() throws Exception {
    flood("stdout");
  }

  @Test
  void gigabyteToStderr_keepsTheHostsHeapBounded_andTheCallEnds() throws Exception {
    flood("stderr");
  }

  private static void flood(String stream) throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    long baseline = heapUsedAfterGc();
    AtomicBoolean flooding = new AtomicBoolean(true);
    AtomicLong peak = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (flooding.get()) {
                peak.accumulateAndGet(heapUsedAfterGc(), Math::max);
                try {
                  Thread.sleep(250);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "heap-sampler");
    sampler.setDaemon(true);
    try (SteadyCalls steady = fixture.steadyCalls()) {
      sampler.start();
      String written = null;
      PluginCallException error = null;
      try {
        written = fixture.hostile().callText("flood", stream + " " + GIGABYTE, FLOOD_CALL_LIMIT.plusSeconds(10));
      } catch (PluginCallException e) {
        error = e;
      } finally {
        flooding.set(false);
        sampler.join(10_000);
      }
      if (error == null) {
        assertEquals(Long.toString(GIGABYTE), written);
        fixture.assertStillServing(pid);
      } else {
        // Too slow to finish within the call limit: the host kills it as hung, and says so.
        assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code(), error.getMessage());
        assertTrue(error.getMessage().contains("killed as hung"), error.getMessage());
        fixture.awaitRestarted(events, pid);
      }
      steady.assertNoneFailed();
    }
    long growth = Math.max(peak.get(), heapUsedAfterGc()) - baseline;
    assertTrue(growth < HEAP_GROWTH_ALLOWED, "the host's heap grew by " + (growth >> 20) + " MiB during the flood");
  }

  private static long heapUsedAfterGc() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }
}
