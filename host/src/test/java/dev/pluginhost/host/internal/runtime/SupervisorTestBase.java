package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;

/**
 * What every supervisor test shares: a {@link ManualTimer}, a {@link FakeWorkerFactory}, a
 * {@link RecordingListener} on a direct executor, and backoff randomness from a fixed seed. After
 * each test it checks the supervisor's promise that it never calls out (into a worker or a
 * listener) while holding its lock.
 */
abstract class SupervisorTestBase {
  static final String PLUGIN = "demo";
  static final long SEED = 20240611L;
  /** Long enough that no real time passing during a test ever reaches a call's deadline. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  final ManualTimer timer = new ManualTimer();
  final FakeWorkerFactory workers = new FakeWorkerFactory(PLUGIN, timer);
  PluginSupervisor supervisor;
  RecordingListener listener;

  /** Settings for a pool of {@code processes}: 100 ms first backoff, doubling, 20% jitter. */
  static PluginSettings.Builder pool(int processes) {
    return PluginSettings.builder()
        .processes(processes)
        .restartBackoff(Duration.ofMillis(100), Duration.ofSeconds(30))
        .restartBackoffShape(2.0, 0.2);
  }

  PluginSupervisor supervise(PluginSettings.Builder settings) {
    supervisor = new PluginSupervisor(PLUGIN, "1.0.0", settings.build(), workers, timer, new Random(SEED));
    PluginSupervisor watched = supervisor;
    workers.watchLock(() -> Thread.holdsLock(watched));
    listener = new RecordingListener(() -> Thread.holdsLock(watched));
    supervisor.addListener(listener, directExecutor());
    return supervisor;
  }

  /** Supervises with {@code settings}, starts, and lets every first process serve. */
  PluginSupervisor running(PluginSettings.Builder settings) {
    supervise(settings);
    supervisor.start();
    workers.created().forEach(FakeWorker::serve);
    return supervisor;
  }

  ListenableFuture<byte[]> call(String function, String input) {
    return supervisor.callAsync(function, input.getBytes(StandardCharsets.UTF_8), TIMEOUT);
  }

  /** The last delay the supervisor scheduled anything with: after a death, its restart backoff. */
  Duration lastScheduledDelay() {
    List<Duration> delays = timer.scheduledDelays();
    return delays.get(delays.size() - 1);
  }

  /**
   * Runs what the timer holds, task by task in time order, until the supervisor makes a new
   * worker (its restart after the backoff), and returns that worker.
   */
  FakeWorker advancePastBackoff() {
    int before = workers.count();
    while (workers.count() == before) {
      assertTrue(timer.runNextTask(), "no restart is scheduled");
    }
    assertEquals(before + 1, workers.count(), "one replacement at a time");
    return workers.last();
  }

  static String text(Future<byte[]> future) {
    assertTrue(future.isDone(), "the call has finished");
    try {
      return new String(future.get(), StandardCharsets.UTF_8);
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError("the call failed: " + e.getCause(), e);
    }
  }

  /** The PluginCallException {@code future} failed with; fails if it has not failed so. */
  static PluginCallException failure(Future<?> future) {
    assertTrue(future.isDone(), "the call has finished");
    try {
      future.get();
    } catch (ExecutionException e) {
      return assertInstanceOf(PluginCallException.class, e.getCause());
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the call succeeded");
  }

  @AfterEach
  void supervisorNeverCalledOutHoldingItsLock() {
    if (supervisor != null) {
      assertEquals(List.of(), workers.calledUnderLock(), "worker methods called under the supervisor's lock");
      assertFalse(listener.anyUnderLock(), "a listener was called under the supervisor's lock");
    }
  }
}
