package dev.pluginhost.host.internal.runtime;

import dev.pluginhost.host.PluginSettings;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Random;

/**
 * The supervisor's memory of failures: how long to wait before the next restart (exponential
 * backoff with jitter), and whether restarts have come too often (the intensity limit). Not
 * thread-safe; the supervisor calls it under its lock.
 */
final class RestartBudget {
  /** A process that served this long before dying resets the backoff. */
  static final Duration STABLE_UPTIME = Duration.ofSeconds(10);

  private final PluginSettings settings;
  private final Random random;
  private final ArrayDeque<Long> restartTimes = new ArrayDeque<>();
  private int consecutiveFailures;

  RestartBudget(PluginSettings settings, Random random) {
    this.settings = settings;
    this.random = random;
  }

  /**
   * Records an unplanned death at {@code nowNanos} of a process that had served for
   * {@code uptime}, and says whether a restart is still within the intensity limit.
   */
  boolean recordFailure(long nowNanos, Duration uptime) {
    if (uptime.compareTo(STABLE_UPTIME) >= 0) {
      consecutiveFailures = 0;
    }
    consecutiveFailures++;
    long window = settings.restartWindow().toNanos();
    while (!restartTimes.isEmpty() && nowNanos - restartTimes.peekFirst() > window) {
      restartTimes.removeFirst();
    }
    restartTimes.addLast(nowNanos);
    return restartTimes.size() <= settings.maxRestarts();
  }

  /** Restarts counted in the current window. */
  int recentRestarts() {
    return restartTimes.size();
  }

  /**
   * The delay before the next restart: the initial backoff times the multiplier for each failure
   * in a row beyond the first, capped, then spread by the jitter.
   */
  Duration nextDelay() {
    double base = settings.restartBackoffInitial().toNanos()
        * Math.pow(settings.restartBackoffMultiplier(), Math.max(0, consecutiveFailures - 1));
    double capped = Math.min(base, settings.restartBackoffMax().toNanos());
    double jitter = settings.restartBackoffJitter();
    double spread = capped * (1 + jitter * (2 * random.nextDouble() - 1));
    return Duration.ofNanos(Math.max(0, (long) spread));
  }

  /** Forgets every failure: an operator restarted or enabled the plugin. */
  void reset() {
    restartTimes.clear();
    consecutiveFailures = 0;
  }
}
