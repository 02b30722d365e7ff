package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.internal.services.LockTable.Lease;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LockTableTest {
  private static final long TIMEOUT_SECONDS = 10;

  private final LockTable table = new LockTable("p");
  private final Object processA = new Object();
  private final Object processB = new Object();
  private final Object processC = new Object();
  private ExecutorService threads;

  @AfterEach
  void tearDown() throws InterruptedException {
    if (threads != null) {
      threads.shutdownNow();
      assertTrue(threads.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS), "test threads did not stop");
    }
  }

  /** The value of a future that must have completed by now; never waits. */
  private static boolean done(ListenableFuture<Boolean> future) throws ExecutionException {
    assertTrue(future.isDone(), "not completed yet");
    return Futures.getDone(future);
  }

  @Test
  void acquire_whenFree_isHeldAtOnce() throws Exception {
    ListenableFuture<Boolean> acquired = table.acquire("x", new Lease(processA, "a1"), false);

    assertTrue(acquired.isDone());
    assertTrue(done(acquired));
    assertEquals(new Lease(processA, "a1"), table.holder("x"));
  }

  @Test
  void acquire_whileHeld_waitsForRelease() throws Exception {
    Lease a = new Lease(processA, "a1");
    Lease b = new Lease(processB, "b1");
    table.acquire("x", a, false);

    ListenableFuture<Boolean> waiting = table.acquire("x", b, false);
    assertFalse(waiting.isDone(), "granted while another lease holds the lock");

    table.release("x", a);

    assertTrue(waiting.isDone());
    assertTrue(done(waiting));
    assertEquals(b, table.holder("x"));
  }

  @Test
  void release_withSeveralWaiters_handsTheLockOverFirstComeFirstServed() throws Exception {
    Lease holder = new Lease(processA, "a1");
    table.acquire("x", holder, false);
    List<Lease> leases = new ArrayList<>();
    List<ListenableFuture<Boolean>> waits = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Lease lease = new Lease(i % 2 == 0 ? processB : processC, "w" + i);
      leases.add(lease);
      waits.add(table.acquire("x", lease, false));
    }

    Lease previous = holder;
    for (int i = 0; i < 5; i++) {
      table.release("x", previous);
      assertTrue(waits.get(i).isDone(), "waiter " + i + " was not next");
      assertEquals(leases.get(i), table.holder("x"));
      for (int later = i + 1; later < 5; later++) {
        assertFalse(waits.get(later).isDone(), "waiter " + later + " overtook waiter " + i);
      }
      previous = leases.get(i);
    }
    table.release("x", previous);
    assertNull(table.holder("x"));
  }

  @Test
  void tryOnly_whileHeld_completesAtOnceWithFalse_andDoesNotQueue() throws Exception {
    Lease a = new Lease(processA, "a1");
    Lease b = new Lease(processB, "b1");
    table.acquire("x", a, false);

    ListenableFuture<Boolean> tried = table.acquire("x", b, true);
    assertTrue(tried.isDone());
    assertFalse(done(tried));

    table.release("x", a);
    assertNull(table.holder("x"), "a refused try was queued and granted later");
  }

  @Test
  void tryOnly_whenFree_holdsTheLock() throws Exception {
    ListenableFuture<Boolean> tried = table.acquire("x", new Lease(processA, "a1"), true);

    assertTrue(done(tried));
    assertEquals(new Lease(processA, "a1"), table.holder("x"));
  }

  @Test
  void acquire_bySameLeaseWhileHeld_isNotReentrant_andWaits() throws Exception {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);

    assertFalse(done(table.acquire("x", a, true)), "a try by the holder's own lease succeeded");
    ListenableFuture<Boolean> again = table.acquire("x", a, false);
    assertFalse(again.isDone(), "the holder took its lock a second time");
    assertFalse(done(table.acquire("x", new Lease(processA, "a2"), true)), "another lease of the holding process got in");
  }

  @Test
  void release_byLeaseThatDoesNotHold_isIgnored() throws Exception {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);

    table.release("x", new Lease(processB, "b1"));
    table.release("x", new Lease(processA, "a2"));
    table.release("x", new Lease(processB, "a1")); // the holder's id, but another process's lease
    table.release("y", a); // a lock no one holds

    assertEquals(a, table.holder("x"));
    assertNull(table.holder("y"));
  }

  @Test
  void release_byALeaseStillWaiting_withdrawsItsWait() throws Exception {
    // A caller that gave up waiting (deadline, interrupt) releases its lease; the release can
    // reach the host before the cancellation of the wait does. The lock must not go to it later.
    Lease a = new Lease(processA, "a1");
    Lease b = new Lease(processB, "b1");
    table.acquire("x", a, false);
    ListenableFuture<Boolean> bWaits = table.acquire("x", b, false);

    table.release("x", b);
    assertTrue(bWaits.isCancelled(), "the released wait is still pending");
    assertEquals(a, table.holder("x"), "the holder lost the lock to another lease's release");

    table.release("x", a);
    assertNull(table.holder("x"), "the lock went to a lease its process had already released");
  }

  @Test
  void release_byALeaseStillWaiting_letsTheWaitersBehindItMoveUp() throws Exception {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);
    table.acquire("x", new Lease(processB, "b1"), false);
    ListenableFuture<Boolean> cWaits = table.acquire("x", new Lease(processC, "c1"), false);

    table.release("x", new Lease(processB, "b1"));
    table.release("x", a);

    assertTrue(done(cWaits));
    assertEquals(new Lease(processC, "c1"), table.holder("x"));
  }

  @Test
  void release_twice_secondIsIgnored() throws Exception {
    Lease a = new Lease(processA, "a1");
    Lease b = new Lease(processB, "b1");
    table.acquire("x", a, false);
    table.acquire("x", b, false);

    table.release("x", a);
    table.release("x", a);

    assertEquals(b, table.holder("x"), "a repeated release took the lock from the next holder");
  }

  @Test
  void releaseAll_dropsTheOwnersHolds_andHandsEachLockToItsNextWaiter() throws Exception {
    table.acquire("x", new Lease(processA, "a1"), false);
    table.acquire("y", new Lease(processA, "a2"), false);
    table.acquire("z", new Lease(processB, "b1"), false);
    ListenableFuture<Boolean> bWaitsForX = table.acquire("x", new Lease(processB, "b2"), false);
    ListenableFuture<Boolean> cWaitsForX = table.acquire("x", new Lease(processC, "c1"), false);

    table.releaseAll(processA);

    assertTrue(done(bWaitsForX));
    assertFalse(cWaitsForX.isDone());
    assertEquals(new Lease(processB, "b2"), table.holder("x"));
    assertNull(table.holder("y"), "a lock without waiters stayed held by the ended process");
    assertEquals(new Lease(processB, "b1"), table.holder("z"), "another process's hold was dropped");
  }

  @Test
  void releaseAll_cancelsTheOwnersWaits_andTheyNeverGetTheLock() throws Exception {
    Lease b = new Lease(processB, "b1");
    table.acquire("x", b, false);
    ListenableFuture<Boolean> aWaits = table.acquire("x", new Lease(processA, "a1"), false);
    ListenableFuture<Boolean> cWaits = table.acquire("x", new Lease(processC, "c1"), false);

    table.releaseAll(processA);
    assertTrue(aWaits.isCancelled());
    assertEquals(b, table.holder("x"));

    table.release("x", b);
    assertTrue(done(cWaits), "the waiter behind the ended process's wait was skipped");
    assertEquals(new Lease(processC, "c1"), table.holder("x"));
  }

  @Test
  void acquire_byAnOwnerAlreadyReleasedAll_isRefused_andTakesNothing() {
    // The host releases a process's locks when it ends; a request of that process still being
    // handled must not take a lock afterwards, or the lock is held by no one alive, forever.
    table.releaseAll(processA);

    StatusRuntimeException refused =
        assertThrows(StatusRuntimeException.class, () -> table.acquire("x", new Lease(processA, "a1"), false));
    assertEquals(Status.Code.CANCELLED, refused.getStatus().getCode());
    assertNull(table.holder("x"), "an ended process took a lock");

    Lease b = new Lease(processB, "b1");
    table.acquire("y", b, false);
    assertThrows(StatusRuntimeException.class, () -> table.acquire("y", new Lease(processA, "a2"), false));
    table.release("y", b);
    assertNull(table.holder("y"), "an ended process's late wait was granted");
  }

  @Test
  void releaseAll_ofAnOwnerWithNothing_changesNothing() throws Exception {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);
    ListenableFuture<Boolean> bWaits = table.acquire("x", new Lease(processB, "b1"), false);

    table.releaseAll(processC);

    assertEquals(a, table.holder("x"));
    assertFalse(bWaits.isDone());
  }

  @Test
  void cancelledWaiter_isWithdrawn_andTheNextWaiterGetsTheLock() throws Exception {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);
    ListenableFuture<Boolean> bWaits = table.acquire("x", new Lease(processB, "b1"), false);
    ListenableFuture<Boolean> cWaits = table.acquire("x", new Lease(processC, "c1"), false);

    assertTrue(bWaits.cancel(false));
    table.release("x", a);

    assertTrue(done(cWaits));
    assertEquals(new Lease(processC, "c1"), table.holder("x"));
  }

  @Test
  void cancelledLastWaiter_leavesTheLockFreeOnRelease() {
    Lease a = new Lease(processA, "a1");
    table.acquire("x", a, false);
    ListenableFuture<Boolean> bWaits = table.acquire("x", new Lease(processB, "b1"), false);

    bWaits.cancel(false);
    table.release("x", a);

    assertNull(table.holder("x"));
  }

  @Test
  void waiterCancelledAtTheMomentItIsGranted_passesTheLockOn() throws Exception {
    // processA holds x and waits for y. When it ends, releaseAll picks processB's wait for x as
    // the next holder, then cancels processA's wait for y; that cancellation (run by the test's
    // listener) cancels processB's wait just before it is told it holds x: the lock must go on
    // to processC, not stay with a waiter that gave up.
    table.acquire("x", new Lease(processA, "a1"), false);
    table.acquire("y", new Lease(processC, "c-y"), false);
    ListenableFuture<Boolean> aWaitsForY = table.acquire("y", new Lease(processA, "a2"), false);
    ListenableFuture<Boolean> bWaitsForX = table.acquire("x", new Lease(processB, "b1"), false);
    ListenableFuture<Boolean> cWaitsForX = table.acquire("x", new Lease(processC, "c1"), false);
    aWaitsForY.addListener(() -> bWaitsForX.cancel(false), Runnable::run);

    table.releaseAll(processA);

    assertTrue(bWaitsForX.isCancelled());
    assertTrue(cWaitsForX.isDone(), "the lock stayed with a waiter that gave up");
    assertTrue(done(cWaitsForX));
    assertEquals(new Lease(processC, "c1"), table.holder("x"));
  }

  @Test
  void name_emptyOrTooLong_failsWithInvalidArgument() {
    Lease a = new Lease(processA, "a1");

    StatusRuntimeException empty = assertThrows(StatusRuntimeException.class, () -> table.acquire("", a, false));
    StatusRuntimeException tooLong =
        assertThrows(StatusRuntimeException.class, () -> table.acquire("n".repeat(LockTable.MAX_NAME_LENGTH + 1), a, false));

    assertEquals(Status.Code.INVALID_ARGUMENT, empty.getStatus().getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, tooLong.getStatus().getCode());
    assertTrue(tooLong.getStatus().getDescription().contains("257"), tooLong.getStatus().getDescription());
  }

  @Test
  void name_ofTheLongestAllowedLength_isAccepted() throws Exception {
    String name = "n".repeat(LockTable.MAX_NAME_LENGTH);

    assertTrue(done(table.acquire(name, new Lease(processA, "a1"), false)));
  }

  @Test
  void newLock_pastMaxLocks_failsWithResourceExhausted_butKnownLocksStillWork() throws Exception {
    for (int i = 0; i < LockTable.MAX_LOCKS; i++) {
      assertTrue(done(table.acquire("lock-" + i, new Lease(processA, "a" + i), true)));
    }

    StatusRuntimeException full =
        assertThrows(StatusRuntimeException.class, () -> table.acquire("one-more", new Lease(processB, "b1"), false));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
    assertTrue(full.getStatus().getDescription().contains("plugin p"), full.getStatus().getDescription());

    ListenableFuture<Boolean> waitsForKnown = table.acquire("lock-0", new Lease(processB, "b2"), false);
    assertFalse(waitsForKnown.isDone());
    assertFalse(done(table.acquire("lock-1", new Lease(processB, "b3"), true)));

    table.release("lock-2", new Lease(processA, "a2"));
    assertTrue(done(table.acquire("one-more", new Lease(processB, "b1"), false)), "a freed lock did not make room");
  }

  @Test
  void locksThatWereFreed_doNotCountTowardsMaxLocks() throws Exception {
    // Taken and released, waited for and withdrawn, tried and refused: none of it may stay behind.
    Lease holder = new Lease(processA, "holder");
    table.acquire("held", holder, false);
    for (int i = 0; i < LockTable.MAX_LOCKS; i++) {
      Lease lease = new Lease(processB, "b" + i);
      table.acquire("gone-" + i, lease, false);
      table.release("gone-" + i, lease);
      table.acquire("held", lease, false).cancel(false);
      table.acquire("held", lease, true);
    }
    table.release("held", holder);

    for (int i = 0; i < LockTable.MAX_LOCKS; i++) {
      assertTrue(done(table.acquire("fresh-" + i, new Lease(processC, "c" + i), true)), "lock " + i);
    }
  }

  @Test
  void manyThreads_takingTurns_neverOverlap_andNoHandOverIsLost() throws Exception {
    int threadCount = 8;
    int rounds = 2_000;
    threads = Executors.newFixedThreadPool(threadCount);
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger overlaps = new AtomicInteger();
    AtomicInteger entries = new AtomicInteger();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      Object owner = new Object();
      int thread = t;
      workers.add(threads.submit(() -> {
        for (int round = 0; round < rounds; round++) {
          Lease lease = new Lease(owner, thread + "-" + round);
          ListenableFuture<Boolean> acquired = table.acquire("shared", lease, false);
          if (!acquired.get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("a waiting acquire completed with false");
          }
          if (inside.incrementAndGet() != 1) {
            overlaps.incrementAndGet();
          }
          entries.incrementAndGet();
          inside.decrementAndGet();
          table.release("shared", lease);
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      worker.get(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
    }

    assertEquals(0, overlaps.get(), "two holders at once");
    assertEquals(threadCount * rounds, entries.get());
    assertNull(table.holder("shared"));
  }

  @Test
  void manyThreads_cancellingWaitsAtRandom_neverLeakTheLock() throws Exception {
    // Waits given up while the lock is being handed to them: whoever ends up granted passes the
    // lock on, so once everyone is done it is free.
    int threadCount = 8;
    int rounds = 1_000;
    threads = Executors.newFixedThreadPool(threadCount);
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threadCount; t++) {
      Object owner = new Object();
      int thread = t;
      workers.add(threads.submit(() -> {
        for (int round = 0; round < rounds; round++) {
          Lease lease = new Lease(owner, thread + "-" + round);
          ListenableFuture<Boolean> acquired = table.acquire("shared", lease, false);
          if (ThreadLocalRandom.current().nextInt(3) == 0 && acquired.cancel(false)) {
            continue; // gave up; if it was granted meanwhile, the table passes the lock on
          }
          try {
            acquired.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
          } catch (TimeoutException e) {
            throw new AssertionError("a hand-over was lost: waited " + TIMEOUT_SECONDS + " s", e);
          }
          table.release("shared", lease);
        }
        return null;
      }));
    }
    for (Future<?> worker : workers) {
      try {
        worker.get(TIMEOUT_SECONDS * 3, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw new AssertionError(e.getCause());
      }
    }

    assertNull(table.holder("shared"), "the lock leaked to " + table.holder("shared"));
  }
}
