package dev.pluginhost.testkit.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * One daemon thread, shared by every in-process plugin of the JVM, that fires call deadlines. It
 * only flips flags and hands listeners to the plugin's own threads, so it never runs plugin code.
 */
public final class Deadlines {
  private static final ScheduledThreadPoolExecutor TIMER = create();

  private Deadlines() {}

  private static ScheduledThreadPoolExecutor create() {
    ScheduledThreadPoolExecutor timer =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "pluginhost-testkit-deadlines");
              thread.setDaemon(true);
              return thread;
            });
    timer.setRemoveOnCancelPolicy(true);
    return timer;
  }

  /** Runs {@code task} after {@code nanos}; cancel the result when it is no longer wanted. */
  public static ScheduledFuture<?> after(long nanos, Runnable task) {
    return TIMER.schedule(task, Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** {@code timeout} in nanoseconds, saturated instead of overflowing for absurdly long ones. */
  public static long nanos(Duration timeout) {
    try {
      return timeout.toNanos();
    } catch (ArithmeticException tooLong) {
      return Long.MAX_VALUE / 4;
    }
  }

  /** The milliseconds of {@code timeout}, as error messages give it ("250 ms"). */
  public static String millis(Duration timeout) {
    return timeout.toMillis() + " ms";
  }
}
