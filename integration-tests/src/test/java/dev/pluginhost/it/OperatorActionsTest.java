package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A crash loop ends in FAILED, where an operator can restart the plugin; disable and enable too. */
class OperatorActionsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void crashLoop_reachesFailedAfterTheIntensityLimit_andRecoversOnOperatorRestart() throws Exception {
    Path data = tempDir.resolve("data");
    Path marker = Files.createDirectories(data.resolve("crasher")).resolve("fail-start");
    Files.writeString(marker, "until an operator fixes it");
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.dataDirectory(data)
                .plugin("crasher", s -> s.restartIntensity(3, Duration.ofMinutes(1))
                    .restartBackoff(Duration.ofMillis(50), Duration.ofMillis(200))),
            "crasher")) {
      PluginHandle crasher = running.plugin("crasher");
      EventRecorder events = new EventRecorder(crasher);
      if (crasher.state() != PluginState.FAILED) {
        events.awaitEntering(PluginState.FAILED, TIMEOUT);
      }

      List<ProcessDeath> deaths = crasher.deaths();
      assertEquals(4, deaths.size(), "three restarts allowed, the fourth failure gives up: " + deaths);
      assertTrue(deaths.stream().allMatch(d -> d.cause() == DeathCause.FAILED_START), deaths.toString());
      PluginCallException refused =
          assertThrows(PluginCallException.class, () -> crasher.callText("ping", "", TIMEOUT));
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
      assertTrue(refused.getMessage().contains("refusing to start while fail-start exists"), refused.getMessage());

      Files.delete(marker);
      crasher.restartAsync().get(60, TimeUnit.SECONDS);

      assertEquals(PluginState.RUNNING, crasher.state());
      assertEquals("pong", crasher.callText("ping", "", TIMEOUT));
    }
  }

  @Test
  void disabledPlugin_refusesCallsAndHasNoProcess_untilEnabled() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, "crasher")) {
      PluginHandle crasher = running.plugin("crasher");
      long pid = running.pidOf("crasher");

      crasher.disableAsync().get(30, TimeUnit.SECONDS);

      assertEquals(PluginState.DISABLED, crasher.state());
      assertTrue(crasher.processes().isEmpty());
      assertTrue(ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true), "its process is gone");
      PluginCallException refused =
          assertThrows(PluginCallException.class, () -> crasher.callText("ping", "", TIMEOUT));
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());

      crasher.enableAsync().get(60, TimeUnit.SECONDS);

      assertEquals(PluginState.RUNNING, crasher.state());
      assertEquals("pong", crasher.callText("ping", "", TIMEOUT));
    }
  }

  @Test
  void operatorRestartOfARunningPool_replacesEveryProcess_withoutFailingACall() throws Exception {
    try (RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(2)), "squares")) {
      PluginHandle squares = running.plugin("squares");
      List<Long> before = squares.processes().stream().map(p -> p.pid()).toList();
      EventRecorder events = new EventRecorder(squares);

      var inFlight = squares.callAsync("slowSquare", "7 500".getBytes(), TIMEOUT);
      squares.restartAsync().get(60, TimeUnit.SECONDS);

      assertTrue(new String(inFlight.get(30, TimeUnit.SECONDS)).startsWith("49@"));
      List<Long> after = squares.processes().stream().map(p -> p.pid()).toList();
      assertEquals(2, after.size());
      assertTrue(after.stream().noneMatch(before::contains), "before " + before + ", after " + after);
      assertTrue(squares.deaths().isEmpty(), "retiring is not a crash: " + squares.deaths());
      assertEquals(PluginState.RUNNING, squares.state());
      PluginEvent anyRestarting =
          events.await(e -> true, Duration.ofSeconds(5));
      assertTrue(anyRestarting.to() == PluginState.RUNNING, "stayed RUNNING: " + anyRestarting);
    }
  }
}
