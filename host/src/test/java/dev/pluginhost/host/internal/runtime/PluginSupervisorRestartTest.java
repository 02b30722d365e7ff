package dev.pluginhost.host.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.RestartPolicy;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the supervisor does when processes die: backoff, intensity, policies, spares, recycling. */
class PluginSupervisorRestartTest extends SupervisorTestBase {

  // --- the only process crashes ---------------------------------------------------------------

  @Test
  void crash_ofOnlyProcess_failsCallInFlightWithUnavailableAndTheDeath() {
    running(pool(1));
    ListenableFuture<byte[]> inFlight = call("echo", "x");

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    PluginCallException error = failure(inFlight);
    assertEquals(Status.Code.UNAVAILABLE, error.code());
    assertEquals(workers.get(0).deathRecord(), error.death().orElseThrow());
  }

  @Test
  void crash_ofOnlyProcess_movesToRestartingWithTheDeathInTheEvent() {
    running(pool(1));

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    assertEquals(PluginState.RESTARTING, supervisor.state());
    PluginEvent event = listener.last();
    assertEquals(PluginState.RUNNING, event.from());
    assertEquals(PluginState.RESTARTING, event.to());
    assertEquals(1001, event.pid());
    assertEquals(workers.get(0).deathRecord(), event.death().orElseThrow());
  }

  @Test
  void crash_ofOnlyProcess_startsNoWorkerUntilTheBackoffHasPassed() {
    running(pool(1));

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    Duration delay = lastScheduledDelay();
    assertTrue(delay.compareTo(Duration.ofMillis(80)) >= 0 && delay.compareTo(Duration.ofMillis(120)) <= 0, delay::toString);
    timer.advance(delay.minusNanos(1));
    assertEquals(1, workers.count(), "no new worker before the backoff has passed");
    timer.advance(Duration.ofNanos(1));
    assertEquals(2, workers.count());
    assertEquals(1, workers.get(1).startCalls());
  }

  @Test
  void crash_thenReplacementServes_runsAgainWithOneRestartAndTheDeathRecorded() {
    running(pool(1));
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    ProcessDeath death = workers.get(0).deathRecord();

    advancePastBackoff().serve();

    assertEquals(PluginState.RUNNING, supervisor.state());
    assertEquals(1, supervisor.restartCount());
    assertEquals(List.of(death), supervisor.deaths());
    assertEquals(death, supervisor.lastDeath().orElseThrow());
    ListenableFuture<byte[]> call = call("echo", "hi");
    workers.get(1).onlyPendingCall().reply("hi!");
    assertEquals("hi!", text(call));
  }

  // --- backoff --------------------------------------------------------------------------------

  /** Makes the latest worker fail to start {@code times} times in a row; returns each backoff. */
  private List<Duration> failInARow(int times) {
    List<Duration> delays = new ArrayList<>();
    for (int i = 0; i < times; i++) {
      workers.last().failStart("boom " + i);
      delays.add(lastScheduledDelay());
      advancePastBackoff();
    }
    return delays;
  }

  @Test
  void backoff_forConsecutiveFailures_growsByTheMultiplierUpToTheMax() {
    supervise(pool(1).restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(1)).restartBackoffShape(2.0, 0.0));
    supervisor.start();

    List<Duration> delays = failInARow(6);

    assertEquals(List.of(100L, 200L, 400L, 800L, 1000L, 1000L), delays.stream().map(Duration::toMillis).toList());
  }

  @Test
  void backoff_withJitter_staysWithinItsBoundsAroundEachStep() {
    supervise(pool(1).restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(10)).restartBackoffShape(3.0, 0.5));
    supervisor.start();

    List<Duration> delays = failInARow(6);

    long[] bases = {100, 300, 900, 2700, 8100, 10_000};
    boolean spread = false;
    for (int i = 0; i < bases.length; i++) {
      long nanos = delays.get(i).toNanos();
      long base = Duration.ofMillis(bases[i]).toNanos();
      assertTrue(nanos >= base / 2 && nanos <= base * 3 / 2, "delay " + i + " was " + delays.get(i));
      spread |= nanos != base;
    }
    assertTrue(spread, "the jitter moved the delays: " + delays);
  }

  @Test
  void backoff_afterProcessServedStableUptime_startsAgainFromTheInitialDelay() {
    supervise(pool(1).restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(30)).restartBackoffShape(2.0, 0.0));
    supervisor.start();
    assertEquals(List.of(100L, 200L, 400L), failInARow(3).stream().map(Duration::toMillis).toList());
    FakeWorker stable = workers.last();
    stable.serve();

    timer.advance(RestartBudget.STABLE_UPTIME);
    stable.crash(DeathCause.SIGNALED, 139);

    assertEquals(Duration.ofMillis(100), lastScheduledDelay());
  }

  @Test
  void backoff_afterProcessServedLessThanStableUptime_keepsGrowing() {
    supervise(pool(1).restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(30)).restartBackoffShape(2.0, 0.0));
    supervisor.start();
    failInARow(3);
    FakeWorker brief = workers.last();
    brief.serve();

    timer.advance(RestartBudget.STABLE_UPTIME.minusMillis(1));
    brief.crash(DeathCause.SIGNALED, 139);

    assertEquals(Duration.ofMillis(800), lastScheduledDelay());
  }

  // --- restart intensity ----------------------------------------------------------------------

  /** Three failures, each allowed by restartIntensity(3, 60 s); returns the fourth worker, starting. */
  private FakeWorker threeFailures() {
    running(pool(1).restartIntensity(3, Duration.ofSeconds(60)));
    workers.get(0).crash(DeathCause.SIGNALED, 139);
    advancePastBackoff().failStart("boom 2");
    advancePastBackoff().failStart("boom 3");
    FakeWorker fourth = advancePastBackoff();
    assertEquals(PluginState.RESTARTING, supervisor.state());
    return fourth;
  }

  @Test
  void intensity_fourthFailureWithinTheWindow_movesToFailed() {
    FakeWorker fourth = threeFailures();

    fourth.failStart("boom 4");

    assertEquals(PluginState.FAILED, supervisor.state());
    assertEquals(3, supervisor.restartCount());
    PluginEvent event = listener.last();
    assertEquals(PluginState.FAILED, event.to());
    assertEquals(fourth.deathRecord(), event.death().orElseThrow());
    timer.advance(Duration.ofMinutes(10));
    assertEquals(4, workers.count(), "a failed plugin starts nothing by itself");
  }

  @Test
  void intensity_whenFailed_failsQueuedCallsWithFailedPrecondition() {
    FakeWorker fourth = threeFailures();
    ListenableFuture<byte[]> queued = call("echo", "waiting");
    assertFalse(queued.isDone(), "it waits for the restart");

    fourth.failStart("boom 4");

    PluginCallException error = failure(queued);
    assertEquals(Status.Code.FAILED_PRECONDITION, error.code());
    assertTrue(error.getMessage().contains("more than the 3 allowed"), error.getMessage());
  }

  @Test
  void intensity_whenFailed_failsNewCallsAtOnceNamingTheCrash() {
    FakeWorker fourth = threeFailures();
    fourth.failStart("boom 4");

    ListenableFuture<byte[]> call = call("echo", "x");

    PluginCallException error = failure(call);
    assertEquals(Status.Code.FAILED_PRECONDITION, error.code());
    assertEquals(fourth.deathRecord(), error.death().orElseThrow());
    assertTrue(error.getMessage().contains("boom 4"), error.getMessage());
  }

  @Test
  void intensity_failuresSpreadBeyondTheWindow_areForgiven() {
    running(pool(1).restartIntensity(3, Duration.ofSeconds(60)));

    for (int i = 0; i < 6; i++) {
      timer.advance(Duration.ofSeconds(25));
      workers.last().crash(DeathCause.SIGNALED, 139);
      assertEquals(PluginState.RESTARTING, supervisor.state(), "failure " + (i + 1));
      advancePastBackoff().serve();
    }

    assertEquals(PluginState.RUNNING, supervisor.state());
    assertEquals(6, supervisor.restartCount());
    assertTrue(listener.entering(PluginState.FAILED).isEmpty());
  }

  @Test
  void intensity_sameFailuresCloserTogether_failThePlugin() {
    running(pool(1).restartIntensity(3, Duration.ofSeconds(60)));

    for (int i = 0; i < 3; i++) {
      timer.advance(Duration.ofSeconds(15));
      workers.last().crash(DeathCause.SIGNALED, 139);
      advancePastBackoff().serve();
    }
    timer.advance(Duration.ofSeconds(15));
    workers.last().crash(DeathCause.SIGNALED, 139);

    assertEquals(PluginState.FAILED, supervisor.state());
  }

  // --- restart policies -----------------------------------------------------------------------

  @Test
  void policyNever_whenLastProcessDies_movesToFailed() {
    running(pool(2).restartPolicy(RestartPolicy.NEVER));

    workers.get(1).crash(DeathCause.SIGNALED, 139);
    timer.advance(Duration.ofMinutes(1));
    assertEquals(PluginState.RUNNING, supervisor.state(), "one process still serves");
    workers.get(0).exit(0);
    timer.advance(Duration.ofMinutes(1));

    assertEquals(PluginState.FAILED, supervisor.state());
    assertEquals(2, workers.count(), "nothing replaced");
    assertEquals(0, supervisor.restartCount());
  }

  @Test
  void policyOnFailure_afterCleanExit_startsNoReplacement() {
    running(pool(1).restartPolicy(RestartPolicy.ON_FAILURE));

    workers.get(0).exit(0);
    timer.advance(Duration.ofMinutes(1));

    assertEquals(1, workers.count());
    assertFalse(supervisor.state().acceptsCalls());
  }

  @Test
  void policyOnFailure_afterExitCodeOne_startsReplacement() {
    running(pool(1).restartPolicy(RestartPolicy.ON_FAILURE));

    workers.get(0).exit(1);

    assertEquals(PluginState.RESTARTING, supervisor.state());
    advancePastBackoff().serve();
    assertEquals(PluginState.RUNNING, supervisor.state());
  }

  @Test
  void policyAlways_afterCleanExit_startsReplacement() {
    running(pool(1).restartPolicy(RestartPolicy.ALWAYS));

    workers.get(0).exit(0);

    assertEquals(PluginState.RESTARTING, supervisor.state());
    advancePastBackoff().serve();
    assertEquals(PluginState.RUNNING, supervisor.state());
    assertEquals(1, supervisor.restartCount());
  }

  // --- start failures -------------------------------------------------------------------------

  @Test
  void startFailure_countsAsFailureAndIsRestartedWithBackoff() {
    supervise(pool(1));
    ListenableFuture<Void> firstAttempt = supervisor.start();

    workers.get(0).failStart("no main class");

    assertTrue(firstAttempt.isDone(), "a failed first attempt is still an attempt");
    assertEquals(PluginState.RESTARTING, supervisor.state());
    assertEquals(1, supervisor.restartCount());
    assertEquals(DeathCause.FAILED_START, supervisor.deaths().get(0).cause());
    assertEquals(List.of("NEW->STARTING", "STARTING->RESTARTING"), listener.transitions());
    Duration delay = lastScheduledDelay();
    timer.advance(delay.minusNanos(1));
    assertEquals(1, workers.count());
    timer.advance(Duration.ofNanos(1));
    assertEquals(2, workers.count());
  }

  @Test
  void startFailure_staysRestartingUntilAProcessServes() {
    supervise(pool(1));
    supervisor.start();
    workers.get(0).failStart("no main class");

    FakeWorker second = advancePastBackoff();

    assertEquals(PluginState.RESTARTING, supervisor.state(), "starting is not serving");
    ListenableFuture<byte[]> call = call("echo", "x");
    assertFalse(call.isDone());
    second.serve();
    assertEquals(PluginState.RUNNING, supervisor.state());
    second.onlyPendingCall().reply("x!");
    assertEquals("x!", text(call));
  }

  // --- warm spares ----------------------------------------------------------------------------

  @Test
  void warmSpare_whenServingProcessDies_takesOverAtOnce() {
    running(pool(1).warmSpares(1));
    assertEquals(2, workers.count());
    assertEquals(
        List.of(ProcessInfo.Role.SERVING, ProcessInfo.Role.SPARE),
        supervisor.processes().stream().map(ProcessInfo::role).toList());
    listener.clear();

    workers.get(0).crash(DeathCause.SIGNALED, 139);

    assertEquals(PluginState.RUNNING, supervisor.state());
    assertEquals(List.of("RUNNING->RUNNING"), listener.transitions());
    ListenableFuture<byte[]> call = call("echo", "x");
    workers.get(1).onlyPendingCall().reply("from the spare");
    assertEquals("from the spare", text(call));
    assertEquals(2, workers.count(), "the new spare waits for the backoff");
  }

  @Test
  void warmSpare_afterTakingOver_isReplacedBySpareAfterBackoff() {
    running(pool(1).warmSpares(1));
    workers.get(0).crash(DeathCause.SIGNALED, 139);

    Duration delay = lastScheduledDelay();
    timer.advance(delay.minusNanos(1));
    assertEquals(2, workers.count());
    timer.advance(Duration.ofNanos(1));
    assertEquals(3, workers.count());
    workers.get(2).serve();

    assertEquals(
        List.of(ProcessInfo.Role.SERVING, ProcessInfo.Role.SPARE),
        supervisor.processes().stream().map(ProcessInfo::role).toList());
    assertEquals(1002, supervisor.pid().orElseThrow());
    assertEquals(1, supervisor.restartCount());
  }

  // --- recycling ------------------------------------------------------------------------------

  @Test
  void recycle_afterSecondCall_drainsThenRetiresTheProcessWithoutFailingCalls() {
    running(pool(1).recycleAfterCalls(2));
    FakeWorker old = workers.get(0);
    ListenableFuture<byte[]> first = call("echo", "1");
    assertEquals(1, workers.count(), "one call is not enough");

    ListenableFuture<byte[]> second = call("echo", "2");

    assertEquals(2, workers.count(), "a replacement starts at once");
    assertEquals(List.of(), old.shutdowns(), "not while its calls run");
    FakeWorker replacement = workers.get(1);
    replacement.serve();
    ListenableFuture<byte[]> third = call("echo", "3");
    assertEquals(List.of("echo", "echo"), old.received(), "a draining process takes no new calls");
    old.pendingCalls().get(0).reply("1!");
    assertEquals(List.of(), old.shutdowns(), "one call still runs");
    old.onlyPendingCall().reply("2!");
    replacement.onlyPendingCall().reply("3!");

    assertEquals(1, old.shutdowns().size());
    assertEquals(DeathCause.RETIRED, old.shutdowns().get(0).cause());
    assertEquals(List.of("1!", "2!", "3!"), List.of(text(first), text(second), text(third)));
    assertEquals(List.of(), supervisor.deaths(), "a retirement is no crash");
    assertEquals(DeathCause.RETIRED, supervisor.lastDeath().orElseThrow().cause());
    assertEquals(0, supervisor.restartCount());
    assertEquals(PluginState.RUNNING, supervisor.state());
    assertTrue(listener.transitions().stream().allMatch(t -> t.endsWith("RUNNING") || t.endsWith("STARTING")), listener.transitions()::toString);
    assertNotEquals(old.pid(), supervisor.pid().orElseThrow());
  }
}
