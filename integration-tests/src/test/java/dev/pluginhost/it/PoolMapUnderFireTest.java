package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pool serves a map while one of its processes is killed with SIGKILL every few hundred
 * milliseconds: the map still completes, by its deadline, with an outcome for every input.
 * Python's Pool.map hangs forever in this situation (CPython issue 66587).
 */
class PoolMapUnderFireTest {
  private static final Duration MAP_TIMEOUT = Duration.ofMinutes(3);
  private static final long KILL_EVERY_MILLIS = 300;

  @TempDir Path tempDir;

  @Test
  void idempotentMap_completesWithEveryInputSucceeding_whileProcessesAreKilled() throws Exception {
    try (RunningHost running = startPool()) {
      PluginHandle squares = running.plugin("squares");
      List<byte[]> inputs = inputs(10_000);
      Killer killer = new Killer(squares);

      long start = System.nanoTime();
      List<CallOutcome> outcomes;
      try {
        killer.start();
        outcomes = squares.map("slowSquare", inputs, MapOptions.timeout(MAP_TIMEOUT).chunkSize(5));
      } finally {
        killer.stopAndJoin();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);

      assertTrue(killer.kills.get() >= 3, "the test killed only " + killer.kills.get() + " processes");
      assertTrue(took.compareTo(MAP_TIMEOUT) < 0, "the map took " + took);
      assertEquals(inputs.size(), outcomes.size());
      for (int i = 0; i < outcomes.size(); i++) {
        CallOutcome outcome = outcomes.get(i);
        if (!outcome.succeeded()) {
          fail("input " + i + " failed although idempotent: " + outcome.error().orElseThrow().getMessage());
        }
        assertEquals((long) i * i, Long.parseLong(outcome.text().split("@")[0]), "input " + i);
      }
    }
  }

  @Test
  void nonIdempotentMap_accountsForEveryInput_asAResultOrTheDeathThatLostIt() throws Exception {
    try (RunningHost running = startPool()) {
      PluginHandle squares = running.plugin("squares");
      List<byte[]> inputs = inputs(3_000);
      Killer killer = new Killer(squares);

      List<CallOutcome> outcomes;
      try {
        killer.start();
        outcomes =
            squares.map("slowSquare", inputs, MapOptions.timeout(MAP_TIMEOUT).chunkSize(5).idempotent(false));
      } finally {
        killer.stopAndJoin();
      }

      assertEquals(inputs.size(), outcomes.size());
      int lost = 0;
      for (int i = 0; i < outcomes.size(); i++) {
        CallOutcome outcome = outcomes.get(i);
        if (outcome.succeeded()) {
          assertEquals((long) i * i, Long.parseLong(outcome.text().split("@")[0]), "input " + i);
        } else {
          PluginCallException error = outcome.error().orElseThrow();
          assertEquals(Status.Code.UNAVAILABLE, error.code(), error.getMessage());
          assertTrue(error.death().isPresent(), "a lost input names the death that lost it: " + error.getMessage());
          lost++;
        }
      }
      assertTrue(lost < inputs.size(), "some inputs must have survived");
    }
  }

  private RunningHost startPool() throws Exception {
    return RunningHost.start(
        tempDir,
        b -> b.plugin(
            "squares",
            s -> s.processes(4)
                // A chunk can be caught by several kills in a row at this rate; give it the
                // attempts to outlive them.
                .maxCallAttempts(20)
                .restartIntensity(1000, Duration.ofMinutes(1))
                .restartBackoff(Duration.ofMillis(50), Duration.ofMillis(500))),
        "squares");
  }

  /** Input i asks for i squared after 1 ms of work. */
  private static List<byte[]> inputs(int count) {
    List<byte[]> inputs = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      inputs.add((i + " 1").getBytes(StandardCharsets.UTF_8));
    }
    return inputs;
  }

  /** SIGKILLs a random serving process of the plugin on a fixed cadence: the fault, not a wait. */
  private static final class Killer extends Thread {
    private final PluginHandle plugin;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger kills = new AtomicInteger();
    private final Random random = new Random(42);

    Killer(PluginHandle plugin) {
      super("sigkill-every-" + KILL_EVERY_MILLIS + "ms");
      setDaemon(true);
      this.plugin = plugin;
    }

    @Override
    public void run() {
      while (running.get()) {
        List<ProcessInfo> serving =
            plugin.processes().stream().filter(p -> p.role() == ProcessInfo.Role.SERVING).toList();
        if (!serving.isEmpty()) {
          long pid = serving.get(random.nextInt(serving.size())).pid();
          ProcessHandle.of(pid).ifPresent(p -> {
            if (p.destroyForcibly()) {
              kills.incrementAndGet();
            }
          });
        }
        try {
          Thread.sleep(KILL_EVERY_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    void stopAndJoin() throws InterruptedException {
      running.set(false);
      interrupt();
      join(10_000);
    }
  }
}
