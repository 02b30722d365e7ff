package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.Registration;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Starting, stopping, disabling, enabling and restarting a plugin, and what listeners hear. */
class PluginSupervisorLifecycleTest extends SupervisorTestBase {

  @Test
  void start_whenFirstProcessServes_movesFromStartingToRunning() {
    supervise(pool(1));
    assertEquals(PluginState.NEW, supervisor.state());

    ListenableFuture<Void> firstAttempt = supervisor.start();

    assertEquals(PluginState.STARTING, supervisor.state());
    assertEquals(1, workers.count());
    assertEquals(1, workers.get(0).startCalls());
    assertFalse(firstAttempt.isDone(), "nothing has served or failed yet");

    workers.get(0).serve();

    assertEquals(PluginState.RUNNING, supervisor.state());
    assertTrue(firstAttempt.isDone());
    assertEquals(OptionalLong.of(1001), supervisor.pid());
    assertEquals(List.of("echo", "hash", "slow"), supervisor.functions());
    assertEquals(List.of("NEW->STARTING", "STARTING->RUNNING"), listener.transitions());
  }

  @Test
  void start_withPoolOfThree_runsOnceOneServes_andCompletesItsFirstAttemptAtFullStrength() {
    supervise(pool(3));

    ListenableFuture<Void> firstAttempt = supervisor.start();

    assertEquals(3, workers.count());
    workers.created().forEach(w -> assertEquals(1, w.startCalls()));
    workers.get(1).serve();
    assertEquals(PluginState.RUNNING, supervisor.state());
    assertFalse(firstAttempt.isDone(), "two processes are still starting");
    workers.get(0).serve();
    workers.get(2).serve();
    assertTrue(firstAttempt.isDone(), "every first process has served");
    assertEquals(
        List.of(ProcessInfo.Role.SERVING, ProcessInfo.Role.SERVING, ProcessInfo.Role.SERVING),
        supervisor.processes().stream().map(ProcessInfo::role).toList());
  }

  @Test
  void start_calledAgain_spawnsNothingMoreAndReturnsTheSameFuture() {
    supervise(pool(2));
    ListenableFuture<Void> first = supervisor.start();

    ListenableFuture<Void> second = supervisor.start();

    assertSame(first, second);
    assertEquals(2, workers.count());
  }

  @Test
  void call_beforeStart_failsWithFailedPrecondition() {
    supervise(pool(1));

    ListenableFuture<byte[]> call = call("echo", "x");

    assertEquals(Status.Code.FAILED_PRECONDITION, failure(call).code());
    assertEquals(0, workers.count());
  }

  @Test
  void disable_shutsDownWorkersAndRefusesCalls() {
    running(pool(2));

    ListenableFuture<Void> disabled = supervisor.disableAsync();

    assertTrue(disabled.isDone());
    assertEquals(PluginState.DISABLED, supervisor.state());
    for (FakeWorker worker : workers.created()) {
      assertEquals(1, worker.shutdowns().size());
      assertEquals(DeathCause.STOPPED_BY_HOST, worker.shutdowns().get(0).cause());
    }
    assertEquals(Status.Code.FAILED_PRECONDITION, failure(call("echo", "x")).code());
    assertEquals(2, workers.count(), "a disabled plugin starts nothing");
  }

  @Test
  void enable_afterDisable_startsAfreshAndServes() {
    running(pool(1));
    supervisor.disableAsync();

    ListenableFuture<Void> enabled = supervisor.enableAsync();

    assertEquals(PluginState.STARTING, supervisor.state());
    assertEquals(2, workers.count());
    assertFalse(enabled.isDone());
    workers.get(1).serve();
    assertTrue(enabled.isDone());
    assertEquals(PluginState.RUNNING, supervisor.state());
    ListenableFuture<byte[]> call = call("echo", "back");
    workers.get(1).onlyPendingCall().reply("back!");
    assertEquals("back!", text(call));
  }

  @Test
  void disable_whileRestarting_cancelsTheScheduledRestart() {
    running(pool(1));
    workers.get(0).crash(DeathCause.SIGNALED, 137);
    assertEquals(PluginState.RESTARTING, supervisor.state());

    supervisor.disableAsync();
    timer.advance(Duration.ofMinutes(5));

    assertEquals(PluginState.DISABLED, supervisor.state());
    assertEquals(1, workers.count());
  }

  @Test
  void restartAsync_fromFailed_startsAfreshAndServes() {
    running(pool(1).restartIntensity(0, Duration.ofSeconds(60)));
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    assertEquals(PluginState.FAILED, supervisor.state());

    ListenableFuture<Void> restarted = supervisor.restartAsync();

    assertEquals(PluginState.STARTING, supervisor.state());
    assertEquals(2, workers.count());
    workers.get(1).serve();
    assertTrue(restarted.isDone());
    assertEquals(PluginState.RUNNING, supervisor.state());
    ListenableFuture<byte[]> call = call("echo", "again");
    workers.get(1).onlyPendingCall().reply("again!");
    assertEquals("again!", text(call));
    // The intensity was forgiven, so one crash (allowed: none) fails it once more, no sooner.
    workers.get(1).crash(DeathCause.SIGNALED, 139);
    assertEquals(PluginState.FAILED, supervisor.state());
  }

  @Test
  void restartAsync_whileRunning_replacesEachProcessWithoutFailingCalls() {
    running(pool(1));
    ListenableFuture<byte[]> inFlight = call("echo", "old");

    ListenableFuture<Void> restarted = supervisor.restartAsync();

    assertEquals(2, workers.count());
    assertEquals(List.of(), workers.get(0).shutdowns(), "the old process first drains its call");
    workers.get(1).serve();
    workers.get(0).onlyPendingCall().reply("old!");
    assertEquals("old!", text(inFlight));
    assertEquals(DeathCause.RETIRED, workers.get(0).shutdowns().get(0).cause());
    assertTrue(restarted.isDone());
    assertEquals(PluginState.RUNNING, supervisor.state());
    assertEquals(List.of(), supervisor.deaths());
  }

  @Test
  void stop_letsCallsInFlightFinishThenShutsDown() {
    running(pool(1));
    ListenableFuture<byte[]> inFlight = call("echo", "last");

    ListenableFuture<Void> stopped = supervisor.stop();

    assertEquals(PluginState.STOPPING, supervisor.state());
    assertEquals(List.of(), workers.get(0).shutdowns(), "not while a call runs");
    assertFalse(stopped.isDone());
    workers.get(0).onlyPendingCall().reply("last!");

    assertEquals("last!", text(inFlight));
    assertEquals(1, workers.get(0).shutdowns().size());
    assertEquals(DeathCause.STOPPED_BY_HOST, workers.get(0).shutdowns().get(0).cause());
    assertTrue(stopped.isDone());
    assertEquals(PluginState.STOPPED, supervisor.state());
    assertEquals(
        List.of("NEW->STARTING", "STARTING->RUNNING", "RUNNING->STOPPING", "STOPPING->STOPPED"),
        listener.transitions());
  }

  @Test
  void stop_whenCallOutlivesTheGrace_shutsDownAnyway() {
    running(pool(1).shutdownGrace(Duration.ofSeconds(5)));
    ListenableFuture<byte[]> inFlight = call("slow", "x");
    supervisor.stop();
    timer.advance(Duration.ofMillis(4999));
    assertEquals(List.of(), workers.get(0).shutdowns(), "the call has its whole grace");

    timer.advance(Duration.ofMillis(1));

    FakeWorker.Stop shutdown = workers.get(0).shutdowns().get(0);
    assertEquals(DeathCause.STOPPED_BY_HOST, shutdown.cause());
    assertTrue(shutdown.detail().contains("did not drain in time"), shutdown.detail());
    assertEquals(PluginState.STOPPED, supervisor.state());
    assertEquals(Status.Code.UNAVAILABLE, failure(inFlight).code());
  }

  @Test
  void call_afterStop_failsWithFailedPrecondition() {
    running(pool(1));
    supervisor.stop();

    ListenableFuture<byte[]> call = call("echo", "x");

    assertEquals(Status.Code.FAILED_PRECONDITION, failure(call).code());
    assertEquals(List.of(), workers.get(0).received());
  }

  @Test
  void stop_calledTwice_isIdempotent() {
    running(pool(1));
    ListenableFuture<byte[]> inFlight = call("echo", "x");
    ListenableFuture<Void> first = supervisor.stop();

    ListenableFuture<Void> second = supervisor.stop();

    assertEquals(1, listener.entering(PluginState.STOPPING).size(), "one move to STOPPING");
    workers.get(0).onlyPendingCall().reply("x");
    assertTrue(first.isDone());
    assertTrue(second.isDone());
    assertTrue(supervisor.stop().isDone());
    assertEquals(1, workers.get(0).shutdowns().size());
    assertEquals(PluginState.STOPPED, supervisor.state());
    assertEquals(1, listener.entering(PluginState.STOPPED).size());
    assertEquals("x", text(inFlight));
  }

  @Test
  void disable_whileHostStops_stillEndsStoppedForGood() {
    running(pool(1));
    call("echo", "x");
    ListenableFuture<Void> stopped = supervisor.stop();

    supervisor.disableAsync();
    workers.get(0).onlyPendingCall().reply("x");

    assertTrue(stopped.isDone());
    assertEquals(PluginState.STOPPED, supervisor.state(), "only a stop leads to STOPPED, and nothing out of it");
    supervisor.enableAsync();
    assertEquals(PluginState.STOPPED, supervisor.state());
    assertEquals(1, workers.count());
  }

  @Test
  void listener_hearsEachMoveInOrderWithThePidConcerned() {
    running(pool(1));
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    advancePastBackoff().serve();

    List<PluginEvent> events = listener.events();
    assertEquals(
        List.of("NEW->STARTING", "STARTING->RUNNING", "RUNNING->RESTARTING", "RESTARTING->RUNNING"),
        listener.transitions());
    assertEquals(List.of(-1L, 1001L, 1001L, 1002L), events.stream().map(PluginEvent::pid).toList());
    assertEquals(workers.get(0).deathRecord(), events.get(2).death().orElseThrow());
    assertTrue(events.get(3).death().isEmpty());
    events.forEach(e -> assertEquals(PLUGIN, e.pluginId()));
  }

  @Test
  void listenerRegistration_closed_hearsNothingMore_whileOthersStillHear() {
    running(pool(1));
    RecordingListener leaving = new RecordingListener();
    Registration registration = supervisor.addListener(leaving, directExecutor());
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    assertEquals(List.of("RUNNING->RESTARTING"), leaving.transitions());

    registration.close();
    registration.close();
    advancePastBackoff().serve();

    assertEquals(List.of("RUNNING->RESTARTING"), leaving.transitions(), "heard after its registration closed");
    assertEquals("RESTARTING->RUNNING", listener.transitions().get(listener.transitions().size() - 1));
  }

  @Test
  void listenerRegistration_closedWhileEventsWaitOnItsExecutor_skipsThem() {
    running(pool(1));
    RecordingListener leaving = new RecordingListener();
    List<Runnable> held = new ArrayList<>();
    Registration registration = supervisor.addListener(leaving, held::add);
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    assertFalse(held.isEmpty(), "the event was handed to the executor");

    registration.close();
    held.forEach(Runnable::run);

    assertEquals(List.of(), leaving.events());
  }

  @Test
  void listener_whenPoolMemberDiesWhileOthersServe_hearsRunningToRunningWithTheDeath() {
    running(pool(2));
    listener.clear();

    workers.get(1).crash(DeathCause.OUT_OF_MEMORY, 3);

    assertEquals(PluginState.RUNNING, supervisor.state());
    PluginEvent event = listener.last();
    assertEquals(List.of("RUNNING->RUNNING"), listener.transitions());
    assertEquals(1002, event.pid());
    assertEquals(workers.get(1).deathRecord(), event.death().orElseThrow());

    advancePastBackoff().serve();

    assertEquals(List.of("RUNNING->RUNNING", "RUNNING->RUNNING"), listener.transitions());
    assertEquals(1003, listener.last().pid(), "the newcomer joined the pool");
    assertTrue(listener.last().death().isEmpty());
  }

  @Test
  void spareReadyBeforeTheServer_servesFirst_andTheLaterOneBecomesTheSpare() {
    supervise(pool(1).warmSpares(1));
    supervisor.start();

    workers.get(1).serve();
    workers.get(0).serve();

    assertEquals(
        List.of(ProcessInfo.Role.SPARE, ProcessInfo.Role.SERVING),
        supervisor.processes().stream().map(ProcessInfo::role).toList());
  }
}
