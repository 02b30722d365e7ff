package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginState;
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
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, rows where the plugin's JVM dies under a call: the call fails with
 * UNAVAILABLE and how it died, the plugin comes back, and hello next door misses nothing.
 */
class HostileMatrixTestDeaths {
  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    fixture = HostileFixture.start(tempDir, s -> s);
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void systemExit_failsTheCallWithItsExitCode_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("exit", "42");
    assertEquals(DeathCause.EXITED, death.cause());
    assertEquals(42, death.exitCode());
  }

  @Test
  void runtimeHalt_failsTheCallWithItsExitCode_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("halt", "7");
    assertEquals(DeathCause.EXITED, death.cause());
    assertEquals(7, death.exitCode());
  }

  @Test
  void heapExhaustion_isAnOutOfMemoryDeath_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("exhaustHeap", "");
    assertOutOfMemory(death, "Java heap space");
  }

  @Test
  void directMemoryExhaustion_isAnOutOfMemoryDeath_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("exhaustDirectMemory", "");
    assertOutOfMemory(death, "direct buffer memory");
  }

  @Test
  void metaspaceExhaustion_isAnOutOfMemoryDeath_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("exhaustMetaspace", "");
    assertOutOfMemory(death, "Metaspace");
  }

  @Test
  void nativeCrashOfTheJvm_failsTheCallWithTheJvmsErrorReport_andThePluginIsRestarted() throws Exception {
    ProcessDeath death = dieUnderCall("crashJvm", "");
    assertEquals(DeathCause.JVM_CRASH, death.cause(), death.toString());
    assertTrue(death.detail().startsWith("crashed (SIGSEGV"), death.detail());
    Path report = death.errorReport().orElseThrow(() -> new AssertionError("no hs_err report: " + death));
    assertTrue(Files.readString(report).contains("SIGSEGV"), "the report names the fault: " + report);
    assertTrue(death.detail().contains(report.toString()), death.detail());
  }

  @Test
  void sigkillFromOutside_failsTheCallInFlightWithTheSignal_andThePluginIsRestarted() throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    try (SteadyCalls steady = fixture.steadyCalls()) {
      Future<byte[]> call = fixture.hostile().callAsync("deadlock", new byte[0], CALL);
      // The deadlock's helper thread exists once the call is running inside the plugin.
      awaitThread(pid, "hostile-deadloc", Duration.ofSeconds(10));
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();

      PluginCallException error = HostileFixture.failure(call);
      ProcessDeath death = error.death().orElseThrow();
      assertAll(
          () -> assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage()),
          () -> assertEquals(DeathCause.SIGNALED, death.cause()),
          () -> assertEquals(OptionalInt.of(9), death.signal()),
          () -> assertTrue(error.getMessage().contains("SIGKILL"), error.getMessage()));
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
    }
  }

  @Test
  void childProcessLeftRunning_isGoneOnceItsPluginIsKilledAndRestarted() throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    fixture.hostile().callText("spawnChild", "", CALL);
    // Its pid as this host sees it: the plugin may see another, from inside a PID namespace.
    long child =
        ProcessHandle.of(pid).orElseThrow().descendants()
            .filter(p -> p.info().command().map(c -> c.endsWith("/sleep")).orElse(false))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no `sleep 600` under the plugin's pid " + pid))
            .pid();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();

      List<Long> survivors = Processes.awaitEnded(List.of(child), Duration.ofSeconds(5));
      assertEquals(List.of(), survivors, "the dead plugin's child `sleep 600` outlived it");
    } finally {
      ProcessHandle.of(child).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  /**
   * Calls {@code function} under steady calls to hello, asserts the call fails with UNAVAILABLE
   * and the death of the process it went to, and that the plugin serves again from a new process.
   */
  private static ProcessDeath dieUnderCall(String function, String input) throws Exception {
    long pid = fixture.hostilePid();
    EventRecorder events = new EventRecorder(fixture.hostile());
    try (SteadyCalls steady = fixture.steadyCalls()) {
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText(function, input, CALL));
      ProcessDeath death = error.death().orElseThrow(() -> new AssertionError("no death in " + error));
      assertAll(
          () -> assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage()),
          () -> assertEquals("hostile", error.pluginId()),
          () -> assertEquals(function, error.function()),
          () -> assertEquals(pid, error.pid().orElseThrow()),
          () -> assertEquals(pid, death.pid()),
          () -> assertTrue(error.getMessage().contains(death.detail()), error.getMessage()));
      PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, CALL);
      assertEquals(pid, restarting.pid());
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();
      return death;
    }
  }

  private static void assertOutOfMemory(ProcessDeath death, String pool) {
    assertAll(
        () -> assertEquals(DeathCause.OUT_OF_MEMORY, death.cause(), death.toString()),
        () -> assertEquals(3, death.exitCode()),
        () -> assertTrue(death.detail().contains("ran out of memory"), death.detail()),
        () -> assertTrue(
            death.lastOutput().stream().anyMatch(line -> line.contains("OutOfMemoryError") && line.contains(pool)),
            "the last output names the " + pool + ": " + death.lastOutput()));
  }

  /**
   * Waits for a thread named {@code name} (as Linux shortens it) in process {@code pid} or one of
   * its descendants (in a sandbox, the JVM is a child of the process the host started).
   */
  private static void awaitThread(long pid, String name, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
    while (System.nanoTime() - deadline < 0) {
      List<ProcessHandle> tree = Stream.concat(Stream.of(root), root.descendants()).toList();
      for (ProcessHandle process : tree) {
        if (threadNames(process.pid()).contains(name)) {
          return;
        }
      }
      Thread.sleep(10);
    }
    fail("no thread '" + name + "' in pid " + pid + " or its descendants within " + within);
  }

  private static List<String> threadNames(long pid) {
    try (Stream<Path> threads = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
      return threads.map(thread -> {
        try {
          return Files.readString(thread.resolve("comm")).strip();
        } catch (IOException threadEnded) {
          return "";
        }
      }).toList();
    } catch (IOException processEnded) {
      return List.of();
    }
  }
}
