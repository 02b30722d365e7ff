package dev.pluginhost.plugin.api;

import java.time.Duration;
import java.util.Optional;

/**
 * Named locks shared by all the processes of the plugin, like a {@code multiprocessing.Lock}
 * handed to every worker of a pool. Kept by the host, so a lock held by a process that dies (a
 * crash, a kill, a restart) is released at once, and the next waiter gets it. Needs the grant
 * {@code locks}.
 *
 * <p>A lock is held by one acquisition at a time and is not reentrant: a second {@code acquire}
 * of a lock the same process holds waits like any other. Waiters get the lock first come, first
 * served. Names are 1 to 256 characters; locks of different plugins never meet. A process holds
 * or waits for at most 256 host requests at once, held locks included.
 */
public interface Locks {

  /**
   * Waits for the lock named {@code name} until it is free, at most {@code timeout}, and takes it.
   * Hold it in try-with-resources:
   *
   * <pre>{@code
   * try (HeldLock lock = context.locks().acquire("ledger", Duration.ofSeconds(5))) {
   *   ... // one process of the pool at a time
   * }
   * }</pre>
   *
   * @throws HostServiceException with DEADLINE_EXCEEDED if the lock was not free in time,
   *     PERMISSION_DENIED without the grant, UNAVAILABLE if the host cannot be reached
   * @throws InterruptedException if the thread was interrupted while waiting (the lock is then not
   *     taken)
   */
  HeldLock acquire(String name, Duration timeout) throws InterruptedException;

  /**
   * Takes the lock named {@code name} if it is free now; empty if another holder has it. Waits
   * only for the host's answer, at most 10 seconds.
   */
  Optional<HeldLock> tryAcquire(String name);

  /** One holding of a named lock; closing it releases the lock. */
  interface HeldLock extends AutoCloseable {
    /** The lock's name. */
    String name();

    /**
     * Releases the lock. Returns at once and never throws; releasing twice is harmless. The
     * holding is an open call to the host, so the lock goes free the moment that call ends, or
     * when this process does.
     */
    @Override
    void close();
  }
}
