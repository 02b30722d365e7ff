package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A handler that never returns gets its JVM killed and restarted; Java cannot stop a thread. */
class HangRecoveryTest {
  private static final Duration CALL_LIMIT = Duration.ofMillis(1500);
  private static final Duration RESTART_WITHIN = Duration.ofSeconds(30);

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle hanger;

  @BeforeAll
  static void start() throws Exception {
    running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("hanger", s -> s.callTimeLimit(CALL_LIMIT).probeInterval(Duration.ofMillis(200))),
            "hanger");
    hanger = running.plugin("hanger");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void callPastTheCallLimit_failsWithDeadlineExceeded_andTheProcessIsKilledAndRestarted() throws Exception {
    long pid = running.pidOf("hanger");
    EventRecorder events = new EventRecorder(hanger);

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hanger.callText("spin", "", Duration.ofSeconds(30)));

    assertAll(
        () -> assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code()),
        () -> assertEquals(pid, error.pid().orElseThrow()),
        () -> assertTrue(error.getMessage().contains("killed as hung"), error.getMessage()));
    PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, RESTART_WITHIN);
    assertEquals(DeathCause.KILLED_CALL_LIMIT, restarting.death().orElseThrow().cause());
    events.awaitEntering(PluginState.RUNNING, RESTART_WITHIN);
    assertEquals("pong", hanger.callText("ping", "", Duration.ofSeconds(10)));
  }

  @Test
  void handlerThatOutlivesItsCallersDeadline_isFoundByTheProbe_andTheProcessRestarted() throws Exception {
    long pid = running.pidOf("hanger");
    EventRecorder events = new EventRecorder(hanger);

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hanger.callText("spin", "", Duration.ofMillis(300)));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
    assertTrue(error.getMessage().contains("300 ms deadline"), error.getMessage());

    // The caller is gone, but the handler spins on; the probe sees it pass the call limit.
    PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, RESTART_WITHIN);
    assertEquals(pid, restarting.pid());
    assertEquals(DeathCause.KILLED_CALL_LIMIT, restarting.death().orElseThrow().cause());
    assertTrue(restarting.reason().contains("after its caller gave up"), restarting.reason());
    events.awaitEntering(PluginState.RUNNING, RESTART_WITHIN);
    assertEquals("pong", hanger.callText("ping", "", Duration.ofSeconds(10)));
  }

  @Test
  void politeHandler_seesItsCallCancelledAtTheDeadline_andNothingIsKilled() throws Exception {
    long pid = running.pidOf("hanger");

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hanger.callText("sleep", "60000", Duration.ofMillis(300)));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code());
    // Two calls within the limit take the cancelled call's age past it: had its handler kept
    // running, the probe (every 200 ms) would have killed the process by now.
    for (int i = 0; i < 2; i++) {
      assertEquals("slept", hanger.callText("sleep", "1000", Duration.ofSeconds(10)));
    }
    assertEquals(pid, running.pidOf("hanger"));
  }
}
