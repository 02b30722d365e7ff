package dev.pluginhost.runner.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts handlers while they run, cancelled or not, so the host can tell a call whose caller gave
 * up but whose handler spins on from one that finished.
 */
final class CallTracker {
  private final ConcurrentHashMap<Long, Long> startNanosById = new ConcurrentHashMap<>();
  private final AtomicLong nextId = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();

  /** Records a handler starting; pass the result to {@link #end}. */
  long begin() {
    long id = nextId.incrementAndGet();
    startNanosById.put(id, System.nanoTime());
    return id;
  }

  void end(long id) {
    if (startNanosById.remove(id) != null) {
      completed.incrementAndGet();
    }
  }

  int inFlight() {
    return startNanosById.size();
  }

  long completed() {
    return completed.get();
  }

  /** How long the longest-running handler has run, in milliseconds; zero when none runs. */
  long oldestAgeMillis() {
    long now = System.nanoTime();
    long oldest = 0;
    for (long start : startNanosById.values()) {
      oldest = Math.max(oldest, now - start);
    }
    return oldest / 1_000_000;
  }
}
