package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningHost;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start hook that overruns its start timeout is a failed start, said as such. */
class StartFailureTest {
  @TempDir Path tempDir;

  @Test
  void startHookPastTheStartTimeout_isAFailedStart_andTheProcessIsKilled() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin(
                "hanger",
                s -> s.config("startDelayMillis", "600000")
                    .startTimeout(Duration.ofSeconds(3))
                    .restartBackoff(Duration.ofMinutes(5), Duration.ofMinutes(5))),
            "hanger")) {
      PluginHandle hanger = running.plugin("hanger");

      // The host's start waits for each plugin's first attempt, so the verdict is in.
      assertEquals(PluginState.RESTARTING, hanger.state());
      ProcessDeath death = hanger.lastDeath().orElseThrow();
      assertEquals(DeathCause.FAILED_START, death.cause());
      assertTrue(death.detail().contains("within 3000 ms"), death.detail());
      assertTrue(Processes.hasEnded(death.pid()), "the stuck process was killed");
    }
  }
}
