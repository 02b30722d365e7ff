package dev.pluginhost.host.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginMetrics;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What {@link PluginSupervisor#metrics()} counts, on fake workers and a manual clock. */
class PluginMetricsTest extends SupervisorTestBase {

  private static PluginCallException error(Status.Code code) {
    return new PluginCallException(code, PLUGIN, "echo", 1001, "failed on purpose", null, null, null);
  }

  /** Asserts {@code actual} is {@code expected} to within HdrHistogram's 1% (plus a microsecond). */
  private static void assertAbout(Duration expected, Duration actual, String what) {
    long slack = expected.toNanos() / 100 + 1000;
    assertTrue(
        Math.abs(actual.toNanos() - expected.toNanos()) <= slack,
        what + ": expected about " + expected + " but was " + actual);
  }

  @Test
  void metrics_beforeAnyCall_areAllZero() {
    supervise(pool(1));

    PluginMetrics metrics = supervisor.metrics();

    for (PluginMetrics.Calls calls : List.of(metrics.calls(), metrics.mapChunks(), metrics.pipes())) {
      assertEquals(new PluginMetrics.Calls(0, 0, Map.of(), 0, PluginMetrics.Latency.NONE, PluginMetrics.Latency.NONE), calls);
    }
    assertEquals(0, metrics.mapItemsSucceeded());
    assertEquals(0, metrics.mapItemsFailedTotal());
  }

  @Test
  void calls_areCountedAsStartedInFlightSucceededAndFailedByCode() {
    running(pool(2));
    ListenableFuture<byte[]> ok = call("echo", "a");
    ListenableFuture<byte[]> unknown = call("echo", "b");
    ListenableFuture<byte[]> stillRunning = call("echo", "c");
    ListenableFuture<byte[]> waiting = call("echo", "d");
    workers.get(0).pendingCalls().stream().filter(c -> c.inputText().equals("a")).findFirst().orElseThrow().reply("A");
    workers.get(1).pendingCalls().stream()
        .filter(c -> c.inputText().equals("b")).findFirst().orElseThrow()
        .result.setException(error(Status.Code.UNKNOWN));
    ListenableFuture<byte[]> invalid = call("echo", "e");
    workers.created().stream()
        .flatMap(w -> w.pendingCalls().stream())
        .filter(c -> c.inputText().equals("e")).findFirst().orElseThrow()
        .result.setException(error(Status.Code.INVALID_ARGUMENT));

    PluginMetrics.Calls calls = supervisor.metrics().calls();

    assertEquals("A", text(ok));
    assertEquals(Status.Code.UNKNOWN, failure(unknown).code());
    assertEquals(Status.Code.INVALID_ARGUMENT, failure(invalid).code());
    assertEquals(5, calls.started());
    assertEquals(1, calls.succeeded());
    assertEquals(Map.of(Status.Code.UNKNOWN, 1L, Status.Code.INVALID_ARGUMENT, 1L), calls.failedByCode());
    assertEquals(2, calls.failed());
    assertEquals(2, calls.inFlight(), "c and d, running or waiting");
    assertEquals(3, calls.latency().count(), "only finished calls have a latency");
    assertTrue(!stillRunning.isDone() && !waiting.isDone());
  }

  @Test
  void calls_refusedOrCutShort_areCountedWithTheirCodes() {
    running(pool(1).maxMessageBytes(1024));
    ListenableFuture<byte[]> tooBig = supervisor.callAsync("echo", new byte[2048], TIMEOUT);
    ListenableFuture<byte[]> cancelled = call("echo", "cancel me");
    cancelled.cancel(true);
    ListenableFuture<byte[]> died = call("echo", "x");
    workers.get(0).crash(DeathCause.SIGNALED, 137);
    supervisor.stop();
    ListenableFuture<byte[]> afterStop = call("echo", "y");

    PluginMetrics.Calls calls = supervisor.metrics().calls();

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure(tooBig).code());
    assertEquals(Status.Code.UNAVAILABLE, failure(died).code());
    assertEquals(Status.Code.FAILED_PRECONDITION, failure(afterStop).code());
    assertEquals(
        Map.of(
            Status.Code.RESOURCE_EXHAUSTED, 1L,
            Status.Code.CANCELLED, 1L,
            Status.Code.UNAVAILABLE, 1L,
            Status.Code.FAILED_PRECONDITION, 1L),
        calls.failedByCode());
    assertEquals(4, calls.started());
    assertEquals(0, calls.inFlight());
  }

  @Test
  void latency_percentilesOfKnownLatencies_onTheSupervisorsClock() {
    running(pool(1));
    // Calls taking 1 ms, 2 ms, ... 100 ms, one after another.
    for (int i = 1; i <= 100; i++) {
      ListenableFuture<byte[]> call = call("echo", "x");
      timer.advance(Duration.ofMillis(i));
      workers.get(0).onlyPendingCall().reply("x");
      assertEquals("x", text(call));
    }

    PluginMetrics.Latency latency = supervisor.metrics().calls().latency();

    assertEquals(100, latency.count());
    assertAbout(Duration.ofMillis(50), latency.p50(), "p50");
    assertAbout(Duration.ofMillis(90), latency.p90(), "p90");
    assertAbout(Duration.ofMillis(99), latency.p99(), "p99");
    assertAbout(Duration.ofMillis(100), latency.max(), "max");
    assertAbout(Duration.ofMillis(50).plusNanos(500_000), latency.mean(), "mean");
  }

  @Test
  void latency_includesTheTimeACallWaitedInTheQueue() {
    running(pool(1).maxConcurrentCallsPerProcess(1));
    ListenableFuture<byte[]> first = call("echo", "1");
    ListenableFuture<byte[]> second = call("echo", "2");
    timer.advance(Duration.ofMillis(30));
    workers.get(0).onlyPendingCall().reply("1");
    timer.advance(Duration.ofMillis(10));
    workers.get(0).onlyPendingCall().reply("2");
    text(first);
    text(second);

    PluginMetrics.Latency latency = supervisor.metrics().calls().latency();

    assertAbout(Duration.ofMillis(40), latency.max(), "the second call waited 30 ms, then ran 10");
  }

  @Test
  void recentLatency_coversTheLastMinute_whileLatencyCoversTheHostsLife() {
    running(pool(1));
    ListenableFuture<byte[]> old = call("echo", "old");
    timer.advance(Duration.ofMillis(200));
    workers.get(0).onlyPendingCall().reply("old");
    text(old);
    assertEquals(1, supervisor.metrics().calls().recentLatency().count());

    timer.advance(PluginMetrics.RECENT_WINDOW.plus(PluginMetrics.RECENT_WINDOW_SLACK).plusSeconds(1));
    ListenableFuture<byte[]> recent = call("echo", "new");
    timer.advance(Duration.ofMillis(5));
    workers.get(0).onlyPendingCall().reply("new");
    text(recent);

    PluginMetrics.Calls calls = supervisor.metrics().calls();
    assertEquals(2, calls.latency().count());
    assertAbout(Duration.ofMillis(200), calls.latency().max(), "lifetime max");
    assertEquals(1, calls.recentLatency().count());
    assertAbout(Duration.ofMillis(5), calls.recentLatency().max(), "recent max");
  }

  @Test
  void maps_countChunksAsCalls_andEachInputByItsOutcome() {
    running(pool(1));
    List<byte[]> inputs =
        List.of("a", "b", "c", "d", "e").stream().map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    ListenableFuture<List<CallOutcome>> map =
        supervisor.mapAsync("echo", inputs, MapOptions.timeout(TIMEOUT).chunkSize(2));
    List<FakeWorker.PendingBatch> batches = workers.get(0).pendingBatches();
    assertEquals(3, batches.size());
    batches.get(0).reply(b -> b);
    batches.get(1).result.set(
        List.of(CallOutcome.success(new byte[0]), CallOutcome.failure(error(Status.Code.INVALID_ARGUMENT))));
    batches.get(2).result.setException(error(Status.Code.UNAVAILABLE));
    assertEquals(5, Futures.getUnchecked(map).size());

    PluginMetrics metrics = supervisor.metrics();

    assertEquals(3, metrics.mapChunks().started());
    assertEquals(2, metrics.mapChunks().succeeded());
    assertEquals(Map.of(Status.Code.UNAVAILABLE, 1L), metrics.mapChunks().failedByCode());
    assertEquals(3, metrics.mapItemsSucceeded());
    assertEquals(Map.of(Status.Code.INVALID_ARGUMENT, 1L, Status.Code.UNAVAILABLE, 1L), metrics.mapItemsFailed());
    assertEquals(0, metrics.calls().started(), "a map's chunks are not unary calls");
  }
}
