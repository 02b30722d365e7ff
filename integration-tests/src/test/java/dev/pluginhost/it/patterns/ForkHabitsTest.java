package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin written as if forked from its host (the fork-habits sample) gets an error saying so
 * for each habit, instead of running on with empty or default data.
 */
class ForkHabitsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void readingAnInheritedStandardInput_failsSayingNothingIsInherited() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, "fork-habits")) {
      PluginCallException e =
          assertThrows(PluginCallException.class, () -> running.plugin("fork-habits").callText("jobFromStdin", "", TIMEOUT));

      assertEquals(Status.Code.UNKNOWN, e.code());
      assertTrue(e.getMessage().contains("plugin fork-habits read standard input, which no one writes to"), e.getMessage());
      assertTrue(e.getMessage().contains("spawned, not forked"), e.getMessage());
    }
  }

  @Test
  void readingAGlobalTheApplicationSet_failsNamingIt_insteadOfReadingTheDefault() throws Exception {
    // The application sets a global before it starts its workers, as it would before fork().
    System.setProperty("app.region", "us-east");
    try (RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("fork-habits", s -> s.refuseHostProperties(true)), "fork-habits")) {
      PluginCallException e =
          assertThrows(
              PluginCallException.class, () -> running.plugin("fork-habits").callText("regionFromGlobal", "", TIMEOUT));

      assertTrue(e.getMessage().contains("read system property 'app.region', which its host's application set"), e.getMessage());
      assertTrue(!e.getMessage().contains("us-east"), "the value never leaves the host: " + e.getMessage());
    }
    try (RunningHost running = RunningHost.start(tempDir.resolve("default"), "fork-habits")) {
      assertEquals(
          "region eu-west", running.plugin("fork-habits").callText("regionFromGlobal", "", TIMEOUT),
          "off by default: the name is not even sent");
    } finally {
      System.clearProperty("app.region");
    }
  }

  @Test
  void aSettingTheHostNeverPassed_failsNamingIt_andOnePassedInConfigIsRead() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir.resolve("without"), "fork-habits")) {
      PluginCallException e =
          assertThrows(
              PluginCallException.class, () -> running.plugin("fork-habits").callText("regionFromConfig", "", TIMEOUT));

      assertTrue(e.getMessage().contains("has no configuration value 'region'"), e.getMessage());
    }
    try (RunningHost running =
        RunningHost.start(tempDir.resolve("with"), b -> b.plugin("fork-habits", s -> s.config("region", "ap-south")), "fork-habits")) {
      PluginHandle plugin = running.plugin("fork-habits");

      assertEquals("region ap-south", plugin.callText("regionFromConfig", "", TIMEOUT));
    }
  }
}
