package dev.pluginhost.host.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessInfo;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How calls reach processes: routing, limits, the queue, retries, and maps. */
class PluginSupervisorDispatchTest extends SupervisorTestBase {
  private static final MapOptions MAP = MapOptions.timeout(TIMEOUT);

  // --- routing and limits ---------------------------------------------------------------------

  @Test
  void call_concurrentOnPoolOfTwo_goOneToEachProcess() {
    running(pool(2));

    call("echo", "1");
    call("echo", "2");

    assertEquals(1, workers.get(0).pendingCalls().size());
    assertEquals(1, workers.get(1).pendingCalls().size());
  }

  @Test
  void call_goesToTheLeastLoadedProcess() {
    running(pool(2));
    call("echo", "1");
    call("echo", "2");
    call("echo", "3");
    assertEquals(2, workers.get(0).pendingCalls().size(), "a tie goes to the first");
    workers.get(1).onlyPendingCall().reply("2!");

    call("echo", "4");

    assertEquals("4", workers.get(1).onlyPendingCall().inputText());
    assertEquals(2, workers.get(0).pendingCalls().size());
  }

  @Test
  void call_beyondMaxConcurrentCallsPerProcess_waitsInTheQueue() {
    running(pool(1).maxConcurrentCallsPerProcess(2));
    call("echo", "1");
    call("echo", "2");

    ListenableFuture<byte[]> third = call("echo", "3");

    assertFalse(third.isDone());
    assertEquals(2, workers.get(0).pendingCalls().size());
    assertEquals(2, supervisor.processes().get(0).callsInFlight());
  }

  @Test
  void queuedCalls_whenSlotFrees_runInTheOrderTheyCame() {
    running(pool(1).maxConcurrentCallsPerProcess(1));
    ListenableFuture<byte[]> first = call("echo", "1");
    ListenableFuture<byte[]> second = call("echo", "2");
    ListenableFuture<byte[]> third = call("echo", "3");

    workers.get(0).onlyPendingCall().reply("1!");

    assertEquals("2", workers.get(0).onlyPendingCall().inputText());
    workers.get(0).onlyPendingCall().reply("2!");
    workers.get(0).onlyPendingCall().reply("3!");
    assertEquals(List.of("1!", "2!", "3!"), List.of(text(first), text(second), text(third)));
  }

  @Test
  void call_whenQueueHoldsMaxQueuedCalls_failsAtOnceWithResourceExhausted() {
    running(pool(1).maxConcurrentCallsPerProcess(1).maxQueuedCalls(2));
    call("echo", "running");
    ListenableFuture<byte[]> queued1 = call("echo", "q1");
    ListenableFuture<byte[]> queued2 = call("echo", "q2");

    ListenableFuture<byte[]> rejected = call("echo", "one too many");

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, failure(rejected).code());
    assertFalse(queued1.isDone());
    assertFalse(queued2.isDone());
  }

  @Test
  void queuedCall_whenItsDeadlinePasses_failsWithDeadlineExceeded() {
    running(pool(1).maxConcurrentCallsPerProcess(1));
    call("echo", "running");
    ListenableFuture<byte[]> queued =
        supervisor.callAsync("echo", "late".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(2));

    timer.advance(Duration.ofMillis(1500));
    assertFalse(queued.isDone());
    timer.advance(Duration.ofMillis(500));

    assertEquals(Status.Code.DEADLINE_EXCEEDED, failure(queued).code());
    workers.get(0).onlyPendingCall().reply("done");
    assertEquals(List.of("echo"), workers.get(0).received(), "the expired call was never sent");
  }

  @Test
  void call_whilePluginRestarting_waitsAndRunsOnTheReplacement() {
    running(pool(1));
    workers.get(0).crash(DeathCause.SIGNALED, 139);

    ListenableFuture<byte[]> call = call("echo", "patient");

    assertFalse(call.isDone());
    FakeWorker replacement = advancePastBackoff();
    assertFalse(call.isDone(), "the replacement has not served yet");
    replacement.serve();
    replacement.onlyPendingCall().reply("served");
    assertEquals("served", text(call));
    assertEquals(List.of(), workers.get(0).received());
  }

  // --- retries --------------------------------------------------------------------------------

  @Test
  void idempotentCall_whoseProcessDies_isRetriedOnAnotherProcessAndSucceeds() {
    workers.eachWorker(w -> w.idempotentFunctions("hash"));
    running(pool(2));
    ListenableFuture<byte[]> call = call("hash", "x");
    assertEquals(1, workers.get(0).pendingCalls().size());

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    assertFalse(call.isDone());
    workers.get(1).onlyPendingCall().reply("hashed");
    assertEquals("hashed", text(call));
  }

  @Test
  void idempotentCall_onOnlyProcess_isRetriedOnTheReplacement() {
    workers.eachWorker(w -> w.idempotentFunctions("hash"));
    running(pool(1));
    ListenableFuture<byte[]> call = call("hash", "x");

    workers.get(0).crash(DeathCause.SIGNALED, 139);
    FakeWorker replacement = advancePastBackoff();
    replacement.serve();

    replacement.onlyPendingCall().reply("hashed");
    assertEquals("hashed", text(call));
  }

  @Test
  void nonIdempotentCall_whoseProcessDies_failsWithUnavailable() {
    workers.eachWorker(w -> w.idempotentFunctions("hash"));
    running(pool(2));
    ListenableFuture<byte[]> call = call("echo", "x");

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    PluginCallException error = failure(call);
    assertEquals(Status.Code.UNAVAILABLE, error.code());
    assertEquals(workers.get(0).deathRecord(), error.death().orElseThrow());
    assertEquals(List.of(), workers.get(1).received());
  }

  @Test
  void idempotentCall_triesNoMoreThanMaxCallAttempts() {
    workers.eachWorker(w -> w.idempotentFunctions("hash"));
    running(pool(3).maxCallAttempts(2));
    ListenableFuture<byte[]> call = call("hash", "x");

    workers.get(0).crash(DeathCause.SIGNALED, 139);
    assertEquals(List.of("hash"), workers.get(1).received());
    workers.get(1).crash(DeathCause.SIGNALED, 139);

    PluginCallException error = failure(call);
    assertEquals(Status.Code.UNAVAILABLE, error.code());
    assertEquals(workers.get(1).deathRecord(), error.death().orElseThrow());
    assertEquals(List.of(), workers.get(2).received());
  }

  @Test
  void callNeverSent_isRetriedEvenIfNotIdempotentAndAttemptsAreSpent() {
    running(pool(2).maxCallAttempts(1));
    workers.get(0).crashUnnoticed(DeathCause.SIGNALED, 139);

    ListenableFuture<byte[]> call = call("echo", "x");

    assertEquals(List.of("echo"), workers.get(0).received(), "it went to the dead process first");
    workers.get(1).onlyPendingCall().reply("sent at last");
    assertEquals("sent at last", text(call));
    workers.get(0).reportDeath();
  }

  // --- map ------------------------------------------------------------------------------------

  private static List<byte[]> inputs(String... texts) {
    return Stream.of(texts).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
  }

  private static byte[] upper(byte[] input) {
    return new String(input, StandardCharsets.UTF_8).toUpperCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(List<CallOutcome> outcomes) {
    return outcomes.stream().map(o -> o.succeeded() ? o.text() : "<" + o.error().orElseThrow().code() + ">").toList();
  }

  @Test
  void map_withChunkSizeTwo_givesOutcomesInInputOrder() {
    running(pool(2));

    ListenableFuture<List<CallOutcome>> map = supervisor.mapAsync("echo", inputs("a", "b", "c", "d", "e"), MAP.chunkSize(2));

    List<FakeWorker.PendingBatch> first = workers.get(0).pendingBatches();
    List<FakeWorker.PendingBatch> second = workers.get(1).pendingBatches();
    assertEquals(List.of(2, 1), first.stream().map(b -> b.inputs.size()).toList());
    assertEquals(List.of(2), second.stream().map(b -> b.inputs.size()).toList());
    // Answered in an order unlike the inputs'.
    first.get(1).reply(PluginSupervisorDispatchTest::upper);
    second.get(0).reply(PluginSupervisorDispatchTest::upper);
    assertFalse(map.isDone());
    first.get(0).reply(PluginSupervisorDispatchTest::upper);
    assertEquals(List.of("A", "B", "C", "D", "E"), texts(Futures.getUnchecked(map)));
  }

  @Test
  void map_whenOneChunksProcessDies_failsExactlyThatChunksInputs() {
    running(pool(2));
    ListenableFuture<List<CallOutcome>> map =
        supervisor.mapAsync("echo", inputs("a", "b", "c", "d", "e", "f"), MAP.chunkSize(2));
    assertEquals(1, workers.get(1).pendingBatches().size());

    workers.get(1).crash(DeathCause.SIGNALED, 139);
    workers.get(0).pendingBatches().forEach(b -> b.reply(PluginSupervisorDispatchTest::upper));

    List<CallOutcome> outcomes = Futures.getUnchecked(map);
    assertEquals(List.of("A", "B", "<UNAVAILABLE>", "<UNAVAILABLE>", "E", "F"), texts(outcomes));
    assertEquals(workers.get(1).deathRecord(), outcomes.get(2).error().orElseThrow().death().orElseThrow());
    assertEquals(2, workers.get(0).received().size(), "the failed chunk was not sent again");
  }

  @Test
  void map_withoutChunkSize_cutsChunksByPythonsRule() {
    workers.eachWorker(w -> w.answerBatchesWith(PluginSupervisorDispatchTest::upper));
    running(pool(1));

    ListenableFuture<List<CallOutcome>> map =
        supervisor.mapAsync("echo", inputs("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"), MAP);

    // ceil(10 / (4 * 1)) = 3: chunks of 3, 3, 3 and 1.
    assertEquals(4, workers.get(0).received().size());
    assertEquals(List.of("A", "B", "C", "D", "E", "F", "G", "H", "I", "J"), texts(Futures.getUnchecked(map)));
  }

  @ParameterizedTest(name = "{0} inputs over {1} processes -> chunks of {2}")
  @CsvSource({"1, 1, 1", "4, 1, 1", "5, 1, 2", "10, 1, 3", "16, 4, 1", "17, 4, 2", "100, 4, 7", "1000, 8, 32", "0, 3, 1"})
  void autoChunkSize_isInputsOverFourTimesProcessesRoundedUp(int inputs, int processes, int expected) {
    assertEquals(expected, MapRun.autoChunkSize(inputs, processes));
  }

  @ParameterizedTest(name = "chunks of {0} over {1} processes of {2} slots and a queue of {3} -> {4} in flight")
  @CsvSource({
    "1, 2, 16, 1000, 64", "1, 2, 64, 1000, 256", "8, 2, 16, 1000, 32", "64, 2, 16, 1000, 16",
    "12500, 2, 16, 1000, 16", "1, 1, 1, 1000, 2", "1, 2, 16, 10, 40", "8, 2, 16, 0, 30", "1, 1, 1, 0, 1",
    "1, 100000, 100000, 1000, 12800000"
  })
  void mapWindow_keepsMoreSmallChunksInFlight_withinWhatThePoolRunsAndQueues(
      int chunkSize, int processes, int slots, int queue, int expected) {
    assertEquals(expected, MapRun.window(chunkSize, processes, slots, queue));
  }

  @Test
  void processes_reportCallsInFlightAndStartedPerProcess() {
    running(pool(2));
    call("echo", "1");
    call("echo", "2");
    workers.get(1).onlyPendingCall().reply("2!");
    call("echo", "3");

    List<ProcessInfo> infos = supervisor.processes();

    assertEquals(List.of(1, 1), infos.stream().map(ProcessInfo::callsInFlight).toList());
    assertEquals(List.of(1L, 2L), infos.stream().map(ProcessInfo::callsStarted).toList());
    assertTrue(infos.stream().allMatch(i -> i.role() == ProcessInfo.Role.SERVING));
  }

  @Test
  void processes_reportEachProcessTreesResidentMemory_readOutsideTheLock() {
    running(pool(2));
    workers.get(0).residentBytes(64L << 20);

    List<ProcessInfo> infos = supervisor.processes();

    assertEquals(List.of(64L << 20, -1L), infos.stream().map(ProcessInfo::residentBytes).toList());
  }
}
