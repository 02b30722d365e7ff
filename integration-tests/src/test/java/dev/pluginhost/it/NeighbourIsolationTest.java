package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.it.support.SteadyCalls;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While one plugin crashes and another hangs, a healthy neighbour under steady calls misses none. */
class NeighbourIsolationTest {
  private static final Duration RECOVER_WITHIN = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void healthyPlugin_seesZeroFailedCalls_whileNeighboursCrashAndHang() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("hanger", s -> s.callTimeLimit(Duration.ofSeconds(1)).probeInterval(Duration.ofMillis(200))),
            "hello", "crasher", "hanger")) {
      PluginHandle hello = running.plugin("hello");
      PluginHandle crasher = running.plugin("crasher");
      PluginHandle hanger = running.plugin("hanger");
      EventRecorder crasherEvents = new EventRecorder(crasher);
      EventRecorder hangerEvents = new EventRecorder(hanger);
      long helloPid = running.pidOf("hello");

      SteadyCalls steady = SteadyCalls.start(hello);
      try {
        assertThrows(PluginCallException.class, () -> crasher.callText("exit", "3", Duration.ofSeconds(10)));
        assertThrows(PluginCallException.class, () -> hanger.callText("spin", "", Duration.ofSeconds(10)));
        crasherEvents.await(e -> e.from() == PluginState.RESTARTING && e.to() == PluginState.RUNNING, RECOVER_WITHIN);
        hangerEvents.await(e -> e.from() == PluginState.RESTARTING && e.to() == PluginState.RUNNING, RECOVER_WITHIN);
      } finally {
        steady.stop();
      }

      assertTrue(steady.calls() > 10, "the steady caller made only " + steady.calls() + " calls");
      assertEquals(List.of(), steady.failures(), "failed calls out of " + steady.calls());
      assertEquals(helloPid, running.pidOf("hello"));
      assertEquals(0, hello.restartCount());
    }
  }
}
