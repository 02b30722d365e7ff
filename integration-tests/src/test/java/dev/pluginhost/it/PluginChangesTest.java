package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginChangeException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.it.support.PluginJarCopies;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.it.support.SamplePlugins;
import dev.pluginhost.it.support.SteadyCalls;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins added, upgraded and removed while the host runs, with real JVMs: an upgrade under
 * steady calls fails none, a version that does not start leaves the old one serving, and a
 * removed plugin leaves no process behind.
 */
class PluginChangesTest {
  private static final Duration CALL = Duration.ofSeconds(10);
  private static final long CHANGE_SECONDS = 90;

  @TempDir Path tempDir;
  private RunningHost running;

  @BeforeEach
  void startHostWithHello() throws Exception {
    running = RunningHost.start(tempDir, b -> b.defaults(PluginSettings.builder().processes(2).build()), "hello");
  }

  @AfterEach
  void stop() {
    if (running != null) {
      running.close();
    }
  }

  private Path helloJar() {
    return SamplePlugins.directory().resolve("hello.jar");
  }

  @Test
  void upgradeUnderSteadyCalls_failsNoCall_andTheNewVersionServesThroughTheSameHandle() throws Exception {
    PluginHandle hello = running.plugin("hello");
    List<Long> oldPids = hello.processes().stream().map(ProcessInfo::pid).toList();
    List<PluginEvent> events = new CopyOnWriteArrayList<>();
    hello.addListener(events::add, Runnable::run);
    Path v2 = PluginJarCopies.withVersion(helloJar(), tempDir.resolve("new/hello-2.jar"), "2.0.0");
    try (SteadyCalls steady = SteadyCalls.start(hello)) {
      PluginHandle upgraded = running.host().upgradeAsync("hello", v2).get(CHANGE_SECONDS, TimeUnit.SECONDS);
      assertEquals("2.0.0", upgraded.version());
      assertEquals("2.0.0", hello.version(), "the handle taken before the upgrade reaches the new version");
      int callsAtUpgrade = steady.calls();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (steady.calls() < callsAtUpgrade + 20 && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
      steady.assertNoneFailed();
    }
    assertEquals("Hello, v2!", hello.callText("greet", "v2", CALL));
    assertTrue(events.stream().anyMatch(e -> e.reason().contains("upgraded from version 0.1.0-SNAPSHOT to 2.0.0")), events.toString());
    assertEquals(List.of(), Processes.awaitEnded(oldPids, Duration.ofSeconds(30)), "the old version's processes drained and ended");
    assertFalse(hello.processes().stream().anyMatch(p -> oldPids.contains(p.pid())));
  }

  @Test
  void upgradeToAVersionThatDoesNotStart_isRefused_andTheOldVersionServesOn() throws Exception {
    PluginHandle hello = running.plugin("hello");
    // No service entry: the runner finds no plugin class in it and cannot start.
    Path broken =
        PluginJarCopies.copy(
            helloJar(), tempDir.resolve("new/hello-broken.jar"), p -> p.setProperty("version", "3.0.0"),
            name -> !name.startsWith("META-INF/services/"));
    try (SteadyCalls steady = SteadyCalls.start(hello)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> running.host().upgradeAsync("hello", broken).get(CHANGE_SECONDS, TimeUnit.SECONDS));
      PluginChangeException refused = assertInstanceOf(PluginChangeException.class, e.getCause());
      assertEquals(Status.Code.FAILED_PRECONDITION, refused.code());
      assertTrue(refused.getMessage().contains("version 3.0.0 did not start"), refused.getMessage());
      assertTrue(refused.getMessage().contains("0.1.0-SNAPSHOT serves on"), refused.getMessage());
      steady.assertNoneFailed();
    }
    assertEquals("0.1.0-SNAPSHOT", hello.version());
    assertEquals(PluginState.RUNNING, hello.state());
  }

  @Test
  void install_startsAPlugin_andRefusesATakenIdOrAJarThatIsNoPlugin() throws Exception {
    Path crasher = SamplePlugins.directory().resolve("crasher.jar");
    PluginHandle installed = running.host().installAsync(crasher).get(CHANGE_SECONDS, TimeUnit.SECONDS);
    assertEquals("crasher", installed.id());
    assertEquals("pong", installed.callText("ping", "", CALL));
    running.host().plugins().stream().filter(p -> p.id().equals("crasher")).findFirst().orElseThrow();

    ExecutionException taken =
        assertThrows(ExecutionException.class, () -> running.host().installAsync(helloJar()).get(CHANGE_SECONDS, TimeUnit.SECONDS));
    assertEquals(Status.Code.ALREADY_EXISTS, ((PluginChangeException) taken.getCause()).code());

    Path notAPlugin = Files.writeString(tempDir.resolve("not-a-plugin.jar"), "hello");
    ExecutionException bad =
        assertThrows(ExecutionException.class, () -> running.host().installAsync(notAPlugin).get(CHANGE_SECONDS, TimeUnit.SECONDS));
    assertEquals(Status.Code.INVALID_ARGUMENT, ((PluginChangeException) bad.getCause()).code());
    assertTrue(bad.getCause().getMessage().contains("not-a-plugin.jar"), bad.getCause().getMessage());

    Path futureApi =
        PluginJarCopies.copy(helloJar(), tempDir.resolve("new/hello-api9.jar"), p -> {
          p.setProperty("id", "hello9");
          p.setProperty("api", "[9.0,10.0)");
        }, name -> true);
    ExecutionException api =
        assertThrows(ExecutionException.class, () -> running.host().installAsync(futureApi).get(CHANGE_SECONDS, TimeUnit.SECONDS));
    assertEquals(Status.Code.INVALID_ARGUMENT, ((PluginChangeException) api.getCause()).code());
    assertTrue(api.getCause().getMessage().contains("needs plugin-api [9.0,10.0)"), api.getCause().getMessage());
  }

  @Test
  void remove_drainsAndStopsThePlugin_leavingNoProcess() throws Exception {
    PluginHandle hello = running.plugin("hello");
    List<Long> pids = hello.processes().stream().map(ProcessInfo::pid).toList();
    running.host().removeAsync("hello").get(CHANGE_SECONDS, TimeUnit.SECONDS);
    assertEquals(PluginState.STOPPED, hello.state());
    assertTrue(running.host().findPlugin("hello").isEmpty());
    assertEquals(List.of(), Processes.awaitEnded(pids, Duration.ofSeconds(10)));
    ExecutionException gone =
        assertThrows(ExecutionException.class, () -> running.host().removeAsync("hello").get(CHANGE_SECONDS, TimeUnit.SECONDS));
    assertEquals(Status.Code.NOT_FOUND, ((PluginChangeException) gone.getCause()).code());
  }
}
