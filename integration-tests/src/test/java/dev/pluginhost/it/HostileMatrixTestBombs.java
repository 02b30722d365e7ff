package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.SandboxMode;
import dev.pluginhost.host.internal.spawn.Cgroups;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.SteadyCalls;
import io.grpc.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, rows where the plugin bombs its limit on threads and processes together
 * (its pids cgroup): the kernel refuses it at the limit, the host kills it for that
 * ({@link DeathCause#TASK_LIMIT}), the call fails with UNAVAILABLE and says so, the plugin comes
 * back, hello next door misses nothing, and no thread or process of the bomb is left.
 *
 * <p>Skipped where the host cannot make pids cgroups: without one nothing bounds a fork bomb
 * (RLIMIT_NPROC does not hold for root), and it would take the machine down.
 */
class HostileMatrixTestBombs {
  /**
   * Room for the JVM and gRPC (an idle plugin is 20 tasks on a 2-core machine: bubblewrap's two
   * processes and the JVM's threads), far too little for a bomb.
   */
  private static final int MAX_TASKS = 200;
  private static final String LIMIT_HIT = "hit its limit of " + MAX_TASKS + " threads and processes";
  private static final Duration GONE_WITHIN = Duration.ofSeconds(10);

  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    assumeTrue(tasksAreLimited(), "no writable pids cgroup here: a thread or fork bomb would have no limit");
    fixture = HostileFixture.start(tempDir, s -> s.maxTasks(MAX_TASKS));
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void threadBombThatKeepsTrying_isKilledAtItsTaskLimit_andThePluginIsRestarted() throws Exception {
    bombUnderCall(fixture, "threadBomb", "");
  }

  @Test
  void threadBombThatLetsTheErrorOut_endsItself_andIsATaskLimitDeath_notOutOfMemory() throws Exception {
    // The runner halts with code 3 on an OutOfMemoryError from plugin code, but with quick probes
    // the host's kill at the task limit may come first. Slow probes let the plugin end itself, so
    // that path is the one tested.
    try (HostileFixture slowProbes =
        HostileFixture.start(
            tempDir.resolve("slow-probes"), s -> s.maxTasks(MAX_TASKS).probeInterval(Duration.ofMinutes(1)))) {
      ProcessDeath death = bombUnderCall(slowProbes, "threadBomb", "giveUp");
      assertAll(
          () -> assertEquals(3, death.exitCode(), death.toString()),
          () -> assertTrue(death.detail().contains("then exited with code 3"), death.detail()),
          () -> assertTrue(
              death.lastOutput().stream().anyMatch(line -> line.contains("unable to create native thread")),
              "the last output names the error: " + death.lastOutput()));
    }
  }

  @Test
  void forkBomb_isKilledAtItsTaskLimit_withEveryBombProcess_andThePluginIsRestarted() throws Exception {
    bombUnderCall(fixture, "forkBomb", "bomb-" + UUID.randomUUID());
  }

  @Test
  void forkBombWithoutTheSandbox_isKilledAtItsTaskLimit_withEveryBombProcess() throws Exception {
    // No PID namespace to take the bomb down with its first process: the cgroup alone must.
    try (HostileFixture unsandboxed =
        HostileFixture.start(tempDir.resolve("unsandboxed"), s -> s.maxTasks(MAX_TASKS).sandbox(SandboxMode.OFF))) {
      bombUnderCall(unsandboxed, "forkBomb", "bomb-" + UUID.randomUUID());
    }
  }

  @Test
  void idlePluginJvm_fitsItsTaskLimitWithRoomToSpare() throws IOException {
    Path group = pidsCgroupOf(fixture.hostilePid());
    long tasks = Long.parseLong(Files.readString(group.resolve("pids.current")).trim());
    assertTrue(tasks < MAX_TASKS / 2, "an idle plugin has " + tasks + " threads and processes");
  }

  /**
   * Calls {@code function} (a bomb) under steady calls to hello and asserts the whole row: the
   * call fails with UNAVAILABLE naming the task limit, the process it went to died of it and
   * left nothing behind (its cgroup is gone; for a fork bomb, {@code input} is a marker every bomb
   * process carries), and the plugin serves again from a new process. Returns the death.
   */
  private static ProcessDeath bombUnderCall(HostileFixture fixture, String function, String input) throws Exception {
    long pid = fixture.hostilePid();
    Path group = pidsCgroupOf(pid);
    // Never bomb without a limit, whatever the host was told.
    assertEquals(Integer.toString(MAX_TASKS), Files.readString(group.resolve("pids.max")).trim(),
        "the plugin's pids cgroup " + group);
    boolean forkBomb = function.equals("forkBomb");
    EventRecorder events = new EventRecorder(fixture.hostile());
    Set<Long> bombProcesses = ConcurrentHashMap.newKeySet();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      Future<byte[]> call = fixture.hostile().callAsync(function, input.getBytes(StandardCharsets.UTF_8), CALL);
      long deadline = System.nanoTime() + CALL.toNanos();
      while (forkBomb && !call.isDone() && System.nanoTime() - deadline < 0) {
        // What the bomb grew to while it ran, to check after the restart that all of it is gone.
        bombProcesses.addAll(Processes.withCommandLine(input));
        Thread.sleep(5);
      }
      PluginCallException error = HostileFixture.failure(call);
      ProcessDeath death = error.death().orElseThrow(() -> new AssertionError("no death in " + error));
      assertAll(
          () -> assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage()),
          () -> assertEquals("hostile", error.pluginId()),
          () -> assertEquals(function, error.function()),
          () -> assertEquals(pid, error.pid().orElseThrow()),
          () -> assertEquals(pid, death.pid()),
          () -> assertEquals(DeathCause.TASK_LIMIT, death.cause(), death.toString()),
          () -> assertTrue(death.detail().contains(LIMIT_HIT), death.detail()),
          () -> assertTrue(error.getMessage().contains(death.detail()), error.getMessage()));
      PluginEvent restarting = events.awaitEntering(PluginState.RESTARTING, CALL);
      assertEquals(pid, restarting.pid());
      fixture.awaitRestarted(events, pid);
      steady.assertNoneFailed();

      assertEquals(List.of(), Processes.awaitEnded(List.of(pid), GONE_WITHIN), "the bombed plugin's process");
      assertTrue(awaitGone(group, GONE_WITHIN), "the bombed plugin's cgroup " + group + " outlived it");
      if (forkBomb) {
        assertFalse(bombProcesses.isEmpty(), "no process of the bomb seen while it ran");
        assertEquals(List.of(), Processes.awaitNoneWithCommandLine(input, GONE_WITHIN),
            "bomb processes left running, out of " + bombProcesses.size() + " seen");
      }
      return death;
    } finally {
      if (forkBomb) {
        Processes.killAllWithCommandLine(input, GONE_WITHIN);
      }
    }
  }

  private static boolean tasksAreLimited() {
    Cgroups cgroups = Cgroups.probe();
    return cgroups != null && cgroups.limitsTasks();
  }

  /** The pids cgroup directory process {@code pid} is in, as this host sees it. */
  private static Path pidsCgroupOf(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "cgroup"))) {
      String[] parts = line.split(":", 3);
      if (parts.length == 3 && List.of(parts[1].split(",")).contains("pids")) {
        return Path.of("/sys/fs/cgroup/pids", parts[2].substring(1));
      }
    }
    throw new AssertionError("pid " + pid + " is in no pids cgroup");
  }

  private static boolean awaitGone(Path path, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (Files.exists(path)) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }
}
