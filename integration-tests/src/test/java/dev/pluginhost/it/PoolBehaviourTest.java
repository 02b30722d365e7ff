package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pools as multiprocessing users know them: spread, back-pressure, recycling, spares, cancels. */
class PoolBehaviourTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void map_spreadsInputsOverThePool_andReturnsThemInOrder() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(2)), "squares")) {
      PluginHandle squares = running.plugin("squares");
      List<byte[]> inputs = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        inputs.add(utf8(i + " 2"));
      }

      List<CallOutcome> outcomes = squares.map("slowSquare", inputs, MapOptions.timeout(TIMEOUT).chunkSize(4));

      Set<String> pids = new HashSet<>();
      for (int i = 0; i < outcomes.size(); i++) {
        String[] answer = outcomes.get(i).text().split("@");
        assertEquals((long) i * i, Long.parseLong(answer[0]));
        pids.add(answer[1]);
      }
      assertEquals(2, pids.size(), "both processes took part: " + pids);
    }
  }

  @Test
  void unorderedMap_handsOutEveryInputOnce_taggedWithItsIndex() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(2)), "squares")) {
      List<byte[]> inputs = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        inputs.add(utf8(Integer.toString(i)));
      }

      Iterator<MapResult> results = running.plugin("squares").mapUnordered("square", inputs, MapOptions.timeout(TIMEOUT));

      Set<Integer> seen = new HashSet<>();
      while (results.hasNext()) {
        MapResult result = results.next();
        assertTrue(seen.add(result.index()), "index " + result.index() + " twice");
        assertEquals((long) result.index() * result.index(), Long.parseLong(result.outcome().text().split("@")[0]));
      }
      assertEquals(1000, seen.size());
    }
  }

  @Test
  void fullQueue_failsTheNextCallAtOnceWithResourceExhausted() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("squares", s -> s.processes(1).maxConcurrentCallsPerProcess(1).maxQueuedCalls(2)),
            "squares")) {
      PluginHandle squares = running.plugin("squares");
      List<ListenableFuture<byte[]>> accepted = new ArrayList<>();
      accepted.add(squares.callAsync("slowSquare", utf8("1 1500"), TIMEOUT));
      accepted.add(squares.callAsync("slowSquare", utf8("2 10"), TIMEOUT));
      accepted.add(squares.callAsync("slowSquare", utf8("3 10"), TIMEOUT));

      ListenableFuture<byte[]> refused = squares.callAsync("slowSquare", utf8("4 10"), TIMEOUT);

      assertTrue(refused.isDone(), "refused at once, not after waiting");
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> dev.pluginhost.host.internal.CallFutures.await(refused));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, error.code());
      for (ListenableFuture<byte[]> call : accepted) {
        assertTrue(new String(call.get(30, TimeUnit.SECONDS), StandardCharsets.UTF_8).contains("@"));
      }
    }
  }

  @Test
  void recycling_replacesProcessesAfterTheirCallLimit_andLosesNoCall() throws Exception {
    try (RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(2).recycleAfterCalls(5)), "squares")) {
      PluginHandle squares = running.plugin("squares");
      List<ListenableFuture<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        calls.add(squares.callAsync("slowSquare", utf8(i + " 20"), Duration.ofMinutes(2)));
      }

      Set<String> pids = new HashSet<>();
      for (int i = 0; i < calls.size(); i++) {
        String[] answer = new String(calls.get(i).get(2, TimeUnit.MINUTES), StandardCharsets.UTF_8).split("@");
        assertEquals((long) i * i, Long.parseLong(answer[0]));
        pids.add(answer[1]);
      }
      assertTrue(pids.size() >= 4, "40 calls at 5 per process need several processes: " + pids);
      assertTrue(squares.deaths().isEmpty(), "recycling is not a crash: " + squares.deaths());
    }
  }

  @Test
  void warmSpare_takesOverADeadProcess_withoutThePluginLeavingRunning() throws Exception {
    try (RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(1).warmSpares(1)), "squares")) {
      PluginHandle squares = running.plugin("squares");
      ProcessInfo spare = awaitRole(squares, ProcessInfo.Role.SPARE);
      long serving = running.pidOf("squares");
      String servingTag = squares.callText("square", "7", TIMEOUT).split("@")[1];
      EventRecorder events = new EventRecorder(squares);

      ProcessHandle.of(serving).orElseThrow().destroyForcibly();
      PluginEvent death = events.await(e -> e.death().isPresent(), TIMEOUT);

      assertEquals(PluginState.RUNNING, death.to(), "the spare kept it running: " + death);
      assertTrue(death.reason().contains("spare pid " + spare.pid()), death.reason());
      String[] answer = squares.callText("square", "7", TIMEOUT).split("@");
      assertEquals("49", answer[0]);
      assertTrue(!answer[1].equals(servingTag), "answered by another process than the dead one");
      assertEquals(List.of(spare.pid()), squares.processes().stream()
          .filter(p -> p.role() == ProcessInfo.Role.SERVING).map(ProcessInfo::pid).toList());
    }
  }

  @Test
  void cancellingACall_reachesThePluginsCallContext() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("squares", s -> s.processes(1)), "squares")) {
      PluginHandle squares = running.plugin("squares");
      ListenableFuture<byte[]> call = squares.callAsync("slowSquare", utf8("5 60000"), TIMEOUT);
      awaitTrue(() -> squares.callText("running", "", TIMEOUT).equals("1"), "the call runs in the plugin");

      call.cancel(true);

      awaitTrue(() -> squares.callText("sawCancelled", "", TIMEOUT).equals("1"), "the plugin saw the cancel");
    }
  }

  private static ProcessInfo awaitRole(PluginHandle plugin, ProcessInfo.Role role) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (ProcessInfo info : plugin.processes()) {
        if (info.role() == role) {
          return info;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no process became " + role + ": " + plugin.processes());
  }

  /** Polls a condition that has no event to wait on, until a deadline. */
  private static void awaitTrue(java.util.function.BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting until " + what);
      }
      Thread.sleep(20);
    }
  }
}
