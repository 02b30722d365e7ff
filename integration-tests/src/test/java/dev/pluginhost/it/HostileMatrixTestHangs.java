package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.SteadyCalls;
import dev.pluginhost.it.support.Processes;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, rows where the plugin hangs or will not start: the host kills it by its
 * limits, says which, and hello next door misses nothing.
 */
class HostileMatrixTestHangs {
  private static final Duration START_TIMEOUT = Duration.ofSeconds(5);

  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    fixture = HostileFixture.start(tempDir, s -> s.startTimeout(START_TIMEOUT));
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void busyLoopForever_isKilledAtTheCallLimit_andThePluginIsRestarted() throws Exception {
    killedAtTheCallLimit("spin");
  }

  @Test
  void deadlockedHandler_isKilledAtTheCallLimit_andThePluginIsRestarted() throws Exception {
    killedAtTheCallLimit("deadlock");
  }

  @Test
  void busyLoopDeclaredNonBlocking_stallsOnlyItsOwnProcess_whichIsKilledAndRestarted() throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    try (SteadyCalls steady = fixture.steadyCalls()) {
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText("spinNonBlocking", "", CALL));
      // The thread that reads calls is stuck, so the health probe goes unanswered too: whichever of
      // the call limit and the probe timeout comes first kills the process.
      PluginEvent death = events.await(e -> e.pid() == pid && e.death().isPresent(), CALL);
      DeathCause cause = death.death().orElseThrow().cause();
      assertAll(
          () -> assertEquals(pid, error.pid().orElseThrow()),
          () -> assertTrue(
              cause == DeathCause.KILLED_CALL_LIMIT || cause == DeathCause.KILLED_UNRESPONSIVE, cause.toString()),
          () -> assertTrue(Processes.hasEnded(pid), "the stalled process was killed"));
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
    }
  }

  @Test
  void startHookThatThrows_isAFailedStart_andThePluginStartsOnceTheCauseIsGone() throws Exception {
    ProcessDeath death = failStartWithMarker("fail-start");
    assertTrue(death.detail().contains("start hook fails on purpose"), death.detail());
  }

  @Test
  void startHookThatNeverReturns_isKilledAtTheStartTimeout_andThePluginStartsOnceTheCauseIsGone() throws Exception {
    ProcessDeath death = failStartWithMarker("hang-start");
    assertTrue(death.detail().contains("within " + START_TIMEOUT.toMillis() + " ms"), death.detail());
    assertTrue(Processes.hasEnded(death.pid()), "the stuck process was killed");
  }

  private static void killedAtTheCallLimit(String function) throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    try (SteadyCalls steady = fixture.steadyCalls()) {
      long began = System.nanoTime();
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText(function, "", CALL));
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      assertAll(
          () -> assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code(), error.getMessage()),
          () -> assertEquals(pid, error.pid().orElseThrow()),
          () -> assertTrue(error.getMessage().contains("call limit"), error.getMessage()),
          () -> assertTrue(error.getMessage().contains("killed as hung"), error.getMessage()),
          () -> assertTrue(took.compareTo(HostileFixture.CALL_TIME_LIMIT) >= 0, "killed after " + took),
          () -> assertTrue(took.compareTo(CALL) < 0, "the host, not the caller's deadline, ended it: " + took));
      // A call made at once is never sent to the condemned process (ping is not idempotent, so a
      // call lost with it would fail): it waits for the next process.
      assertEquals("pong", fixture.hostile().callText("ping", "", CALL));
      // The call fails at the limit, before the kill is recorded; the death reaches the events.
      PluginEvent restarting = events.await(e -> e.pid() == pid && e.death().isPresent(), CALL);
      assertEquals(DeathCause.KILLED_CALL_LIMIT, restarting.death().orElseThrow().cause());
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
    }
  }

  /**
   * Puts a marker that breaks the start hook, kills the plugin, and checks its restarts fail as
   * failed starts and that calls meanwhile fail with that reason; then removes the marker and
   * checks the plugin comes back. Returns the failed start.
   */
  private static ProcessDeath failStartWithMarker(String marker) throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    Path markerFile = fixture.hostileData().resolve(marker);
    Files.createFile(markerFile);
    try (SteadyCalls steady = fixture.steadyCalls()) {
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      PluginEvent failed =
          events.await(
              e -> e.death().map(d -> d.cause() == DeathCause.FAILED_START).orElse(false),
              START_TIMEOUT.plus(HostileFixture.RESTART_WITHIN));
      ProcessDeath death = failed.death().orElseThrow();

      PluginCallException error =
          assertThrows(
              PluginCallException.class, () -> fixture.hostile().callText("ping", "", Duration.ofSeconds(1)));
      assertAll(
          () -> assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code(), error.getMessage()),
          () -> assertEquals(
              DeathCause.FAILED_START, error.death().map(ProcessDeath::cause).orElse(null), error.getMessage()));

      Files.delete(markerFile);
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
      return death;
    } finally {
      Files.deleteIfExists(markerFile);
    }
  }
}
