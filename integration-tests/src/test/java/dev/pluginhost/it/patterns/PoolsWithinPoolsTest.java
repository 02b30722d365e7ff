package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.Grants;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.it.support.RunningHost;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that needs more parallelism asks the host to spread its work over another plugin's
 * pool (the fanout sample over squares) instead of starting processes of its own.
 */
class PoolsWithinPoolsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void fanout_spreadsItsWorkOverAnotherPluginsPool_throughTheHost() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("fanout", s -> s.grant(Grants.call("squares"))).plugin("squares", s -> s.processes(2)),
            "fanout", "squares")) {
      PluginHandle fanout = running.plugin("fanout");

      String answer = fanout.callText("sumOfSquares", "200", TIMEOUT);

      assertTrue(answer.startsWith("sum of squares 1..200 = 2686700 over "), answer);
      assertEquals("49", fanout.callText("squareOf", "7", TIMEOUT));
      assertEquals(2, running.plugin("squares").processes().size(), "the work ran in squares' own pool");
      assertEquals(1, running.plugin("fanout").processes().size(), "fanout started no processes of its own");
    }
  }

  @Test
  void fanout_withoutTheGrant_isRefusedWithPermissionDeniedNamingIt() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("fanout", s -> s.grant(Grants.call("hello"))), "fanout", "squares")) {
      PluginCallException e =
          assertThrows(PluginCallException.class, () -> running.plugin("fanout").callText("sumOfSquares", "10", TIMEOUT));

      assertTrue(e.getMessage().contains("PERMISSION_DENIED: plugin fanout was not granted \"call:squares\""), e.getMessage());
      assertEquals(0, running.plugin("squares").metrics().mapChunks().started(), "squares was never called");
    }
  }

  @Test
  void callToAPluginTheHostDoesNotHave_failsWithNotFound() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("fanout", s -> s.grant("call:*")), "fanout")) {
      PluginCallException e =
          assertThrows(PluginCallException.class, () -> running.plugin("fanout").callText("squareOf", "3", TIMEOUT));

      assertTrue(e.getMessage().contains("NOT_FOUND: no plugin 'squares' on this host"), e.getMessage());
    }
  }
}
