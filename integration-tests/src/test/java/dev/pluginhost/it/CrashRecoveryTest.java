package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A plugin process that dies, however it dies, fails its calls at once and comes back. */
class CrashRecoveryTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final Duration RESTART_WITHIN = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle crasher;

  @BeforeAll
  static void start() throws Exception {
    running = RunningHost.start(tempDir, "crasher");
    crasher = running.plugin("crasher");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void systemExit_failsTheCallWithUnavailableAndTheExitCode_thenThePluginServesAgain() throws Exception {
    long pid = running.pidOf("crasher");
    EventRecorder events = new EventRecorder(crasher);

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> crasher.callText("exit", "42", TIMEOUT));

    ProcessDeath death = error.death().orElseThrow();
    assertAll(
        () -> assertEquals(Status.Code.UNAVAILABLE, error.code()),
        () -> assertEquals(pid, error.pid().orElseThrow()),
        () -> assertEquals(DeathCause.EXITED, death.cause()),
        () -> assertEquals(42, death.exitCode()),
        () -> assertTrue(error.getMessage().contains("exited with code 42"), error.getMessage()),
        () -> assertTrue(error.getMessage().contains("crasher: exiting with code 42"), "names the last output"));
    PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, TIMEOUT);
    assertEquals(pid, restarting.pid());
    assertEquals(42, restarting.death().orElseThrow().exitCode());
    PluginEvent back = events.awaitEntering(PluginState.RUNNING, RESTART_WITHIN);
    assertNotEquals(pid, back.pid());
    assertEquals("pong", crasher.callText("ping", "", TIMEOUT));
  }

  @Test
  void runtimeHalt_isRecordedAsAnExitAndRecovered() throws Exception {
    running.pidOf("crasher");
    EventRecorder events = new EventRecorder(crasher);

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> crasher.callText("halt", "7", TIMEOUT));

    assertEquals(Status.Code.UNAVAILABLE, error.code());
    assertEquals(7, error.death().orElseThrow().exitCode());
    events.awaitEntering(PluginState.RUNNING, RESTART_WITHIN);
    assertEquals("pong", crasher.callText("ping", "", TIMEOUT));
  }

  @Test
  void sigkillFromOutside_isRecordedAsTheSignal_andRecovered() throws Exception {
    long pid = running.pidOf("crasher");
    EventRecorder events = new EventRecorder(crasher);

    ProcessHandle.of(pid).orElseThrow().destroyForcibly();

    PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, TIMEOUT);
    ProcessDeath death = restarting.death().orElseThrow();
    assertAll(
        () -> assertEquals(DeathCause.SIGNALED, death.cause()),
        () -> assertEquals(OptionalInt.of(9), death.signal()),
        () -> assertTrue(death.detail().contains("SIGKILL"), death.detail()));
    events.awaitEntering(PluginState.RUNNING, RESTART_WITHIN);
    assertEquals("pong", crasher.callText("ping", "", TIMEOUT));
    assertTrue(crasher.restartCount() >= 1);
  }

  @Test
  void callMadeWhileRestarting_waitsForTheNewProcessWithinItsDeadline() throws Exception {
    long pid = running.pidOf("crasher");
    EventRecorder events = new EventRecorder(crasher);
    ProcessHandle.of(pid).orElseThrow().destroyForcibly();
    events.awaitEntering(PluginState.RESTARTING, TIMEOUT);

    assertEquals("pong", crasher.callText("ping", "", RESTART_WITHIN));
  }
}
