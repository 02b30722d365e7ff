package dev.pluginhost.host.internal.runtime;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Timer} whose clock moves only when the test says so. {@link #advance} runs, in time
 * order and on the calling thread, every task that has come due, including tasks scheduled by
 * those tasks; a cancelled task never runs.
 */
final class ManualTimer implements Timer {
  /** Arbitrary and far from zero, so no code can mistake "now" for "never". */
  private static final long START_NANOS = 1_000_000_000_000L;

  private long nanoTime = START_NANOS;
  private long sequence;
  private final PriorityQueue<Scheduled> tasks =
      new PriorityQueue<>((a, b) -> a.dueNanos != b.dueNanos ? Long.compare(a.dueNanos, b.dueNanos) : Long.compare(a.sequence, b.sequence));
  private final List<Duration> scheduledDelays = new ArrayList<>();

  @Override
  public synchronized long nanoTime() {
    return nanoTime;
  }

  @Override
  public synchronized Future<?> schedule(Runnable task, Duration delay) {
    Scheduled scheduled = new Scheduled(task, nanoTime + Math.max(0, delay.toNanos()), sequence++);
    tasks.add(scheduled);
    scheduledDelays.add(delay);
    return scheduled;
  }

  /** Moves the clock on by {@code duration}, running each task as its time comes. */
  void advance(Duration duration) {
    long target;
    synchronized (this) {
      target = nanoTime + duration.toNanos();
    }
    while (true) {
      Scheduled next;
      synchronized (this) {
        next = tasks.peek();
        if (next == null || next.dueNanos > target) {
          nanoTime = target;
          return;
        }
        tasks.poll();
        nanoTime = Math.max(nanoTime, next.dueNanos);
        if (next.cancelled) {
          continue;
        }
        next.ran = true;
      }
      next.task.run();
    }
  }

  /**
   * Moves the clock to the earliest task still to run and runs it (and any due at the same
   * instant, in the order scheduled). Returns false, moving nothing, if no task waits.
   */
  boolean runNextTask() {
    long due;
    synchronized (this) {
      tasks.removeIf(t -> t.cancelled);
      Scheduled next = tasks.peek();
      if (next == null) {
        return false;
      }
      due = next.dueNanos;
    }
    advance(Duration.ofNanos(due - nanoTime()));
    return true;
  }

  /** Every delay anything was scheduled with, in the order asked. */
  synchronized List<Duration> scheduledDelays() {
    return List.copyOf(scheduledDelays);
  }

  /** How many tasks wait to run and are not cancelled. */
  synchronized int pendingTasks() {
    return (int) tasks.stream().filter(t -> !t.cancelled).count();
  }

  private final class Scheduled implements Future<Object> {
    final Runnable task;
    final long dueNanos;
    final long sequence;
    boolean cancelled;
    boolean ran;

    Scheduled(Runnable task, long dueNanos, long sequence) {
      this.task = task;
      this.dueNanos = dueNanos;
      this.sequence = sequence;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (ManualTimer.this) {
        if (ran || cancelled) {
          return false;
        }
        cancelled = true;
        return true;
      }
    }

    @Override
    public boolean isCancelled() {
      synchronized (ManualTimer.this) {
        return cancelled;
      }
    }

    @Override
    public boolean isDone() {
      synchronized (ManualTimer.this) {
        return cancelled || ran;
      }
    }

    @Override
    public Object get() throws InterruptedException, ExecutionException {
      throw new UnsupportedOperationException("a manual timer's tasks are not waited on");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("a manual timer's tasks are not waited on");
    }
  }
}
