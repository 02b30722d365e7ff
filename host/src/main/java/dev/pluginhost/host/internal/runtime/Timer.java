package dev.pluginhost.host.internal.runtime;

import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** Time for supervision: what time it is, and running something later. Tests control it. */
interface Timer {
  /** A monotonic reading, like {@link System#nanoTime()}. */
  long nanoTime();

  /** Runs {@code task} once, after {@code delay}; cancel the returned future to call it off. */
  Future<?> schedule(Runnable task, Duration delay);

  /** The real clock, on a scheduler. */
  static Timer of(ScheduledExecutorService scheduler) {
    return new Timer() {
      @Override
      public long nanoTime() {
        return System.nanoTime();
      }

      @Override
      public Future<?> schedule(Runnable task, Duration delay) {
        return scheduler.schedule(task, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
      }
    };
  }
}
