package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningServer;
import dev.pluginhost.it.support.RunningServer.Cli;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pluginhost serve} started, stopped, killed and started again as an operator (or systemd)
 * would: how it exits, what it leaves behind, what it remembers, and how it refuses to start.
 * Each test that runs a server runs its own, since each ends it.
 */
class ServerLifecycleTest {
  private static final String ONE_PROCESS_EACH = "defaults { processes = 1 }\n";
  private static final Duration EXIT_WITHIN = Duration.ofSeconds(30);
  /** Plugins notice their server's death through their lifeline in well under a second. */
  private static final Duration ORPHANS_END_WITHIN = Duration.ofSeconds(5);

  @TempDir Path tempDir;

  @Test
  void sigterm_drainsAndStopsEveryPlugin_andExitsZero() throws Exception {
    try (RunningServer server = RunningServer.start(tempDir.resolve("server"), ONE_PROCESS_EACH, "hello", "crasher")) {
      List<ProcessHandle> plugins = server.pluginProcesses();
      assertFalse(plugins.isEmpty());

      server.terminate();

      assertEquals(Optional.of(0), server.awaitExit(EXIT_WITHIN), server::stderr);
      // The server waits for its plugins before it exits: none may be left the moment it is gone.
      assertEquals(List.of(), server.survivors());
      String log = server.stderrAfterExit();
      assertTrue(log.contains("pluginhost serve: stopping (draining calls, stopping plugins)\n"), log);
      assertTrue(log.endsWith("pluginhost serve: stopped\n"), log);
      assertFalse(Files.exists(server.directory().resolve("data/admin.sock")), "the admin socket is left behind");
    }
  }

  @Test
  void sigkill_leavesNoPluginBehind_andItsStaleSocketDoesNotStopTheNextServer() throws Exception {
    Path home = RunningServer.prepare(tempDir.resolve("server"), ONE_PROCESS_EACH, "hello", "crasher");
    Path socket = home.resolve("data/admin.sock");
    try (RunningServer first = RunningServer.start(home)) {
      List<Long> plugins = first.pluginProcesses().stream().map(ProcessHandle::pid).toList();

      first.kill();

      assertTrue(first.awaitExit(EXIT_WITHIN).isPresent());
      assertEquals(List.of(), Processes.awaitEnded(plugins, ORPHANS_END_WITHIN), "plugins outlived their killed server");
    }
    assertTrue(Files.exists(socket), "SIGKILL gives the server no chance to remove its socket");
    Cli.Run nobody = Cli.run(home, "list");
    assertEquals(1, nobody.exitCode(), nobody::toString);
    assertTrue(nobody.stderr().startsWith("pluginhost list: no server is running at " + socket + " "), nobody::toString);

    try (RunningServer second = RunningServer.start(home)) {
      Cli.Run list = second.cli("list");

      assertEquals(0, list.exitCode(), list::toString);
      assertTrue(list.lines().get(1).matches("crasher +\\S+ +RUNNING +\\d+ .*"), list::toString);
      assertTrue(list.lines().get(2).matches("hello +\\S+ +RUNNING +\\d+ .*"), list::toString);
    }
  }

  @Test
  void disable_isRememberedAcrossAServerRestart_butStopIsNot_andEnableBringsThePluginBack() throws Exception {
    Path home = RunningServer.prepare(tempDir.resolve("server"), ONE_PROCESS_EACH, "hello", "crasher");
    try (RunningServer first = RunningServer.start(home)) {
      assertEquals(0, first.cli("disable", "hello", "--wait").exitCode());
      assertEquals(0, first.cli("stop", "crasher", "--wait").exitCode());
    }

    try (RunningServer second = RunningServer.start(home)) {
      assertTrue(second.readyLine().startsWith("pluginhost serve: serving 2 plugins from " + home.resolve("plugins") + ";"),
          second.readyLine());
      Cli.Run list = second.cli("list");
      assertTrue(list.lines().get(1).matches("crasher +\\S+ +RUNNING +\\d+ .*"), list::toString);
      assertTrue(list.lines().get(2).matches("hello +\\S+ +DISABLED +- .*"), list::toString);
      Cli.Run status = second.cli("status", "hello");
      assertTrue(status.stdout().startsWith("hello 0.1.0-SNAPSHOT: DISABLED (disabled by an operator: stays off across server restarts)\n"),
          status::toString);

      Cli.Run enable = second.cli("enable", "hello", "--wait");

      assertEquals(0, enable.exitCode(), enable::toString);
      assertTrue(enable.stdout().matches("hello enable: RUNNING \\(pid \\d+\\)\n"), enable::toString);
      assertTrue(second.cli("status", "hello").stdout().startsWith("hello 0.1.0-SNAPSHOT: RUNNING\n"));
    }
  }

  @Test
  void aSecondServer_onTheSameDataDirectory_refusesToStart_beforeStartingAnyPlugin() throws Exception {
    try (RunningServer first = RunningServer.start(tempDir.resolve("server"), ONE_PROCESS_EACH, "hello")) {
      List<ProcessHandle> plugins = first.pluginProcesses();
      Path socket = first.directory().resolve("data/admin.sock");

      Cli.Run second = Cli.run(first.directory(), "serve", "--config", first.directory().resolve("pluginhost.conf").toString());

      assertEquals(1, second.exitCode(), second::toString);
      assertTrue(
          second.stderr().endsWith("pluginhost serve: could not start: another server is already serving its admin API on " + socket + "\n"),
          second::toString);
      assertFalse(second.stderr().contains("spawned pid"), () -> "it started plugins it could not serve: " + second);
      assertEquals("", second.stdout());
      // The first goes on as before.
      assertEquals(Set.copyOf(plugins), Set.copyOf(first.pluginProcesses()));
      assertEquals(0, first.cli("status", "hello").exitCode());
    }
  }

  @Test
  void aBadConfigFile_stopsTheServerAtStart_namingFileLineKeyAndWhatIsWrong() throws Exception {
    Path home = RunningServer.prepare(tempDir.resolve("server"), "# a comment\ndefaults {\n  processes = 0\n}\n", "hello");
    Path config = home.resolve("pluginhost.conf");
    Path typo = Files.writeString(home.resolve("typo.conf"), "admin {\n  tcpport = 7000\n}\n");

    Cli.Run bad = Cli.run(home, "serve", "--config", config.toString());
    Cli.Run unknown = Cli.run(home, "serve", "-c", typo.toString());

    assertEquals(1, bad.exitCode(), bad::toString);
    assertEquals("pluginhost serve: bad config: " + config + ":3: defaults.processes: processes must be 1 to 256, got 0\n", bad.stderr());
    assertEquals("", bad.stdout());
    assertEquals(1, unknown.exitCode(), unknown::toString);
    assertEquals(
        "pluginhost serve: bad config: " + typo + ":2: admin.tcpport: is not a known key here; the keys are socket, tcp-port, token-file\n",
        unknown.stderr());
    assertFalse(Files.exists(home.resolve("data")), "a refused config left state behind");
  }

  @Test
  void aMissingPluginsDirectory_stopsTheServerAtStart_sayingWhichDirectory() throws Exception {
    Path home = Files.createDirectories(tempDir.resolve("empty"));

    Cli.Run run = Cli.run(home, "serve");

    assertEquals(1, run.exitCode(), run::toString);
    // Just why: nothing started, so there is nothing to say about stopping it.
    assertEquals("pluginhost serve: could not start: the plugins directory " + home.resolve("plugins") + " does not exist\n", run.stderr());
    assertEquals("", run.stdout());
  }
}
