package dev.pluginhost.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.Locks.HeldLock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryLocksTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private final MemoryLocks locks = new MemoryLocks(new GrantCheck("p", Set.of("locks")));
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void stopThreads() throws InterruptedException {
    threads.shutdownNow();
    assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS), "the test's threads ended");
  }

  @Test
  void waiters_getTheLockFirstComeFirstServed() throws Exception {
    List<String> order = new CopyOnWriteArrayList<>();
    HeldLock first = locks.acquire("ledger", WAIT);
    Future<?> second = threads.submit(() -> takeAndRecord("second", order));
    awaitTrue(() -> locks.waiting("ledger") == 1);
    Future<?> third = threads.submit(() -> takeAndRecord("third", order));
    awaitTrue(() -> locks.waiting("ledger") == 2);
    first.close();
    second.get(10, TimeUnit.SECONDS);
    third.get(10, TimeUnit.SECONDS);
    assertEquals(List.of("second", "third"), order);
  }

  @Test
  void aLock_isReleasedFromAnyThread() throws Exception {
    HeldLock held = locks.acquire("ledger", WAIT);
    threads.submit(held::close).get(10, TimeUnit.SECONDS);
    locks.acquire("ledger", Duration.ofMillis(1)).close();
  }

  @Test
  void aWaiterInterrupted_throwsInterruptedAndDoesNotTakeTheLock() throws Exception {
    HeldLock held = locks.acquire("ledger", WAIT);
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread waiter = new Thread(() -> {
      try {
        locks.acquire("ledger", WAIT).close();
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    waiter.start();
    awaitTrue(() -> locks.waiting("ledger") == 1);
    waiter.interrupt();
    waiter.join(WAIT.toMillis());
    assertInstanceOf(InterruptedException.class, thrown.get());
    assertEquals("interrupted while waiting for lock 'ledger'", thrown.get().getMessage());
    assertEquals(0, locks.waiting("ledger"));
    held.close();
    assertTrue(locks.tryAcquire("ledger").isPresent());
  }

  private Void takeAndRecord(String who, List<String> order) throws InterruptedException {
    HeldLock lock = locks.acquire("ledger", WAIT);
    try {
      order.add(who);
    } finally {
      lock.close();
    }
    return null;
  }

  /** Waits for a state no event announces (a thread queued on a lock), yielding, within 10 s. */
  private static void awaitTrue(BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "the condition did not hold within " + WAIT);
      Thread.yield();
    }
  }
}
