package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.GetStatsResponse;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Probes a serving process every probe interval and kills it when it does not answer within the
 * probe timeout (the whole JVM is stuck: spinning threads starving the rest, a GC death spiral, a
 * stopped process), when it reports a handler that has run past the call limit after its caller
 * gave up (a thread that ignores cancellation and would spin forever), or when the kernel has
 * refused it a thread or process at its task limit (a thread bomb, a fork bomb, a pool without
 * bound: a JVM denied threads is in an unknown state, as one out of memory is). One probe at a
 * time; it stops when the process dies.
 */
final class ProcessWatchdog {
  private final PluginProcess process;

  ProcessWatchdog(PluginProcess process) {
    this.process = process;
  }

  void start() {
    scheduleNext();
  }

  private void scheduleNext() {
    if (process.death().isDone()) {
      return;
    }
    process.runtime.scheduler.schedule(
        this::probe, process.settings.probeInterval().toNanos(), TimeUnit.NANOSECONDS);
  }

  private void probe() {
    if (process.death().isDone() || process.killIfTaskLimitHit()) {
      return;
    }
    Duration timeout = process.settings.probeTimeout();
    Futures.addCallback(
        process.client().futureStub()
            .withDeadline(io.grpc.Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS))
            .getStats(GetStatsRequest.getDefaultInstance()),
        new FutureCallback<GetStatsResponse>() {
          @Override
          public void onSuccess(GetStatsResponse stats) {
            long limit = process.settings.callTimeLimit().toMillis();
            if (stats.getOldestCallMillis() > limit) {
              process.kill(
                  DeathCause.KILLED_CALL_LIMIT,
                  "was killed as hung: a handler ran for " + stats.getOldestCallMillis()
                      + " ms, past the " + limit + " ms call limit, after its caller gave up");
              return;
            }
            scheduleNext();
          }

          @Override
          public void onFailure(Throwable t) {
            if (process.death().isDone()) {
              return;
            }
            if (process.killIfTaskLimitHit()) {
              // Stuck for want of a thread, most likely: the limit is the truer reason.
              return;
            }
            if (Status.fromThrowable(t).getCode() == Status.Code.DEADLINE_EXCEEDED) {
              process.kill(
                  DeathCause.KILLED_UNRESPONSIVE,
                  "was killed as unresponsive: it did not answer a health probe within "
                      + CallErrors.millis(timeout));
            } else {
              // The connection broke; the process is most likely dying, and its exit will say
              // why. Probe again in case it is not.
              scheduleNext();
            }
          }
        },
        directExecutor());
  }
}
