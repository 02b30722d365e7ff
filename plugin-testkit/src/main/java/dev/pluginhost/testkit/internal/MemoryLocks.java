package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.plugin.api.Locks;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An in-process plugin's named locks, with the host's semantics: one holder at a time, first come
 * first served, not reentrant (a second acquire by the same thread waits like any other), released
 * from any thread, names of 1 to 256 characters. A fair {@link Semaphore} of one permit per name
 * is all of that. The grant {@code locks} is checked first; then, on the plugin's I/O thread,
 * acquiring is refused as the runner refuses it there. Releasing never waits, and works anywhere.
 *
 * <p>One difference from the host: releasing here frees the lock before {@code close()} returns,
 * so a {@code tryAcquire} right after it succeeds. The runner's {@code close()} only ends the call
 * that holds the lock and returns; the host frees the lock when it hears of that, a moment later,
 * so a {@code tryAcquire} right after it may still find the lock taken. Code that relies on the
 * lock being free at once passes here and fails now and then under a host.
 */
public final class MemoryLocks implements Locks {
  public static final int MAX_NAME_LENGTH = 256;

  private final GrantCheck grants;
  private final ConcurrentHashMap<String, Semaphore> locks = new ConcurrentHashMap<>();

  public MemoryLocks(GrantCheck grants) {
    this.grants = grants;
  }

  @Override
  public HeldLock acquire(String name, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    grants.require("locks");
    IoThread.refuseToWait();
    Semaphore lock = lock(name);
    boolean acquired;
    try {
      acquired = lock.tryAcquire(Math.max(0, Deadlines.nanos(timeout)), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      throw new InterruptedException("interrupted while waiting for lock '" + name + "'");
    }
    if (!acquired) {
      throw new HostServiceException(
          Code.DEADLINE_EXCEEDED, "lock '" + name + "' was not free within " + timeout.toMillis() + " ms");
    }
    return new Held(name, lock);
  }

  @Override
  public Optional<HeldLock> tryAcquire(String name) {
    Objects.requireNonNull(name, "name");
    grants.require("locks");
    IoThread.refuseToWait();
    Semaphore lock = lock(name);
    // A lock someone waits for is not free now, even at the instant its holder let go.
    boolean acquired = !lock.hasQueuedThreads() && lock.tryAcquire();
    return acquired ? Optional.of(new Held(name, lock)) : Optional.empty();
  }

  /** How many wait for the lock {@code name} now; for tests of the kit. */
  public int waiting(String name) {
    Semaphore lock = locks.get(name);
    return lock == null ? 0 : lock.getQueueLength();
  }

  private Semaphore lock(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new HostServiceException(
          Code.INVALID_ARGUMENT,
          "a lock's name is 1 to " + MAX_NAME_LENGTH + " characters; this one is " + name.length());
    }
    return locks.computeIfAbsent(name, unused -> new Semaphore(1, true));
  }

  private static final class Held implements HeldLock {
    private final String name;
    private final Semaphore lock;
    private final AtomicBoolean released = new AtomicBoolean();

    Held(String name, Semaphore lock) {
      this.name = name;
      this.lock = lock;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        lock.release();
      }
    }

    @Override
    public String toString() {
      return "HeldLock(" + name + ")";
    }
  }
}
