package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * One plugin's named locks, shared by its processes. A lock has at most one holder, a lease
 * chosen by the acquiring process, and a queue of waiters served first come, first served. When a
 * process ends, {@link #releaseAll} drops its holdings and waits, and the next waiter of each lock
 * it held gets it.
 *
 * <p>Thread-safe. Futures are completed outside the table's lock.
 */
final class LockTable {
  static final int MAX_NAME_LENGTH = 256;
  /** Locks held or waited for at once, per plugin: a plugin cannot grow the table without end. */
  static final int MAX_LOCKS = 10_000;

  /** Who holds or waits: a process (any object standing for it) and its lease. */
  record Lease(Object owner, String id) {}

  private static final class Entry {
    Lease holder;
    final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
  }

  private record Waiter(Lease lease, SettableFuture<Boolean> granted) {}

  private final String pluginId;
  private final Map<String, Entry> locks = new HashMap<>();
  /**
   * Owners whose locks {@link #releaseAll} released: their processes have ended, and a request of
   * theirs still being handled must not take a lock that no one alive would release. Weak, so an
   * ended process's owner is forgotten with it.
   */
  private final Set<Object> ended = Collections.newSetFromMap(new WeakHashMap<>());

  LockTable(String pluginId) {
    this.pluginId = pluginId;
  }

  /**
   * Takes lock {@code name} for {@code lease}: the future completes with true when it is held,
   * at once if the lock is free. With {@code tryOnly} it completes at once, with false if the lock
   * is held. Cancelling the future withdraws the wait; if the lease was granted meanwhile, the
   * caller must {@link #release} it.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT for a bad name, RESOURCE_EXHAUSTED past
   *     {@link #MAX_LOCKS}, CANCELLED if the lease's owner has ended ({@link #releaseAll})
   */
  ListenableFuture<Boolean> acquire(String name, Lease lease, boolean tryOnly) {
    checkName(name);
    SettableFuture<Boolean> granted = SettableFuture.create();
    synchronized (this) {
      if (ended.contains(lease.owner())) {
        throw Status.CANCELLED.withDescription("the process's hold on its locks ended").asRuntimeException();
      }
      Entry entry = locks.get(name);
      if (entry == null) {
        if (locks.size() >= MAX_LOCKS) {
          throw Status.RESOURCE_EXHAUSTED
              .withDescription("plugin " + pluginId + " holds or waits for " + MAX_LOCKS + " locks, its limit")
              .asRuntimeException();
        }
        entry = new Entry();
        locks.put(name, entry);
      }
      if (entry.holder == null) {
        entry.holder = lease;
      } else if (tryOnly) {
        granted.set(false);
        return granted;
      } else {
        Waiter waiter = new Waiter(lease, granted);
        entry.waiters.add(waiter);
        granted.addListener(() -> withdraw(name, waiter), Runnable::run);
        return granted;
      }
    }
    granted.set(true);
    return granted;
  }

  /**
   * Releases {@code lease}'s hold on {@code name}, or withdraws its wait (cancelling its future) if
   * it is still waiting; does nothing if it neither holds nor waits. A caller that gave up waiting
   * releases its lease, and that release may arrive before the cancellation of its wait: the lock
   * must not go to the lease afterwards.
   */
  void release(String name, Lease lease) {
    Waiter next;
    Waiter withdrawn = null;
    synchronized (this) {
      Entry entry = locks.get(name);
      if (entry == null) {
        return;
      }
      if (lease.equals(entry.holder)) {
        next = handOver(name, entry);
      } else {
        next = null;
        for (Iterator<Waiter> it = entry.waiters.iterator(); it.hasNext(); ) {
          Waiter waiter = it.next();
          if (waiter.lease.equals(lease)) {
            it.remove();
            withdrawn = waiter;
            break;
          }
        }
      }
    }
    if (withdrawn != null) {
      withdrawn.granted.cancel(false);
    }
    grant(name, next);
  }

  /** Tells {@code waiter} it holds the lock; if it gave up just now, passes the lock on. */
  private void grant(String name, Waiter waiter) {
    if (waiter != null && !waiter.granted.set(true)) {
      release(name, waiter.lease);
    }
  }

  /**
   * Drops every hold and wait of {@code owner}, handing each lock it held to its next waiter. The
   * owner has ended: its later acquisitions fail with CANCELLED.
   */
  void releaseAll(Object owner) {
    Map<String, Waiter> granted = new HashMap<>();
    List<SettableFuture<Boolean>> withdrawn = new ArrayList<>();
    synchronized (this) {
      ended.add(owner);
      for (Map.Entry<String, Entry> lock : new ArrayList<>(locks.entrySet())) {
        Entry entry = lock.getValue();
        for (Iterator<Waiter> it = entry.waiters.iterator(); it.hasNext(); ) {
          Waiter waiter = it.next();
          if (waiter.lease.owner() == owner) {
            it.remove();
            withdrawn.add(waiter.granted);
          }
        }
        if (entry.holder != null && entry.holder.owner() == owner) {
          Waiter next = handOver(lock.getKey(), entry);
          if (next != null) {
            granted.put(lock.getKey(), next);
          }
        }
      }
    }
    withdrawn.forEach(future -> future.cancel(false));
    granted.forEach(this::grant);
  }

  /** The lease holding {@code name}, or null. For tests and status. */
  synchronized Lease holder(String name) {
    Entry entry = locks.get(name);
    return entry == null ? null : entry.holder;
  }

  /** Gives the lock to the first waiter still waiting, or frees it; returns the waiter to tell. */
  private Waiter handOver(String name, Entry entry) {
    while (!entry.waiters.isEmpty()) {
      Waiter waiter = entry.waiters.poll();
      if (!waiter.granted.isDone()) {
        entry.holder = waiter.lease;
        return waiter;
      }
    }
    entry.holder = null;
    locks.remove(name);
    return null;
  }

  /** A waiter gave up (its future was cancelled): drops it from the queue. */
  private void withdraw(String name, Waiter waiter) {
    if (!waiter.granted.isCancelled()) {
      return;
    }
    synchronized (this) {
      Entry entry = locks.get(name);
      if (entry != null) {
        entry.waiters.remove(waiter);
        if (entry.holder == null && entry.waiters.isEmpty()) {
          locks.remove(name);
        }
      }
    }
  }

  private static void checkName(String name) {
    if (name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw Status.INVALID_ARGUMENT
          .withDescription("a lock's name is 1 to " + MAX_NAME_LENGTH + " characters; this one is " + name.length())
          .asRuntimeException();
    }
  }
}
