package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.internal.spawn.Cgroups;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.SteadyCalls;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, rows where the operating system's limits end the plugin rather than the
 * JVM's: a CPU-seconds limit (prlimit) and a memory cgroup holding native memory the JVM's flags
 * do not bound. The reason reaches the caller and the plugin is restarted.
 */
class HostileMatrixTestLimits {
  private static final long CPU_SECONDS = 5;
  private static final int MEMORY_MEGABYTES = 320;
  /** Long enough for the kernel's verdict to come first on a busy machine. */
  private static final Duration LONG_CALL = Duration.ofSeconds(90);

  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    fixture =
        HostileFixture.start(
            tempDir,
            s -> s.cpuSecondsLimit(CPU_SECONDS)
                .maxMemoryMegabytes(MEMORY_MEGABYTES)
                // The call limit must not end the spin before its CPU time is used up.
                .callTimeLimit(LONG_CALL.plusSeconds(30)));
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void spinningPastItsCpuSecondsLimit_isACpuLimitDeath_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("spin");
    assertAll(
        () -> assertEquals(DeathCause.CPU_LIMIT, death.cause(), death.toString()),
        () -> assertTrue(death.detail().contains("CPU time limit of " + CPU_SECONDS + " s"), death.detail()));
  }

  @Test
  void nativeMemoryPastItsCgroupLimit_isKilledByTheKernel_asAnOutOfMemoryDeath() throws Exception {
    Cgroups cgroups = Cgroups.probe();
    assumeTrue(cgroups != null && cgroups.describe().contains("memory under"), "no writable memory cgroup here");
    ProcessDeath death = dieUnderCall("exhaustNativeMemory");
    assertAll(
        () -> assertEquals(DeathCause.OUT_OF_MEMORY, death.cause(), death.toString()),
        () -> assertTrue(
            death.detail().contains("killed by the kernel: over its " + MEMORY_MEGABYTES + " MiB memory limit"),
            death.detail()));
  }

  private static ProcessDeath dieUnderCall(String function) throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    try (SteadyCalls steady = fixture.steadyCalls()) {
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText(function, "", LONG_CALL));
      ProcessDeath death = error.death().orElseThrow(() -> new AssertionError("no death in " + error));
      assertAll(
          () -> assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage()),
          () -> assertEquals(pid, death.pid()),
          () -> assertTrue(error.getMessage().contains(death.detail()), error.getMessage()));
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
      return death;
    }
  }
}
