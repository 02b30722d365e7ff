package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.CallContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;

/**
 * The {@link CallContext} of one in-process call, with the runner's semantics: cancelled once the
 * caller cancels or the deadline passes (a timer fires it, as gRPC's does), listeners run once on
 * another thread, and never after the function returned normally.
 *
 * <p>{@link #isCancelled()} turns true by the clock at the deadline, which may be before the timer
 * has fired; so whoever reports how a call ended asks {@link #cancelledBeforeFinish()}, not
 * whether the timer ran.
 */
public final class LocalCallContext implements CallContext {
  private final String function;
  private final Duration timeout;
  private final Instant deadline;
  private final long deadlineNanos;
  private final Map<String, String> metadata;
  private final Executor listenerExecutor;
  private final List<Runnable> listeners = new ArrayList<>();
  private final List<Runnable> hooks = new ArrayList<>();
  private ScheduledFuture<?> timer;
  private volatile boolean cancelled;
  private volatile boolean finished;
  private boolean cancelledBeforeFinish;

  public LocalCallContext(String function, Duration timeout, Map<String, String> metadata, Executor listenerExecutor) {
    this.function = function;
    this.timeout = timeout;
    long nanos = Deadlines.nanos(timeout);
    this.deadlineNanos = System.nanoTime() + nanos;
    this.deadline = Instant.now().plusNanos(nanos);
    this.metadata = Map.copyOf(metadata);
    this.listenerExecutor = listenerExecutor;
  }

  private LocalCallContext(
      String function, Duration timeout, long deadlineNanos, Instant deadline, Map<String, String> metadata, Executor listenerExecutor) {
    this.function = function;
    this.timeout = timeout;
    this.deadlineNanos = deadlineNanos;
    this.deadline = deadline;
    this.metadata = metadata;
    this.listenerExecutor = listenerExecutor;
  }

  /**
   * Another call of the same function with this one's deadline and metadata, not cancelled and not
   * armed: the next chunk of the same map.
   */
  public LocalCallContext sibling() {
    return new LocalCallContext(function, timeout, deadlineNanos, deadline, metadata, listenerExecutor);
  }

  /** Starts the deadline's timer; {@link #finish()} stops it. */
  public synchronized void arm() {
    if (!cancelled && !finished) {
      timer = Deadlines.after(deadlineNanos - System.nanoTime(), this::cancel);
    }
  }

  @Override
  public String function() {
    return function;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  /** The timeout the caller gave, for error messages. */
  public Duration timeout() {
    return timeout;
  }

  /** Nanoseconds left until the deadline, by {@link System#nanoTime()}; zero or less once past. */
  public long remainingNanos() {
    return deadlineNanos - System.nanoTime();
  }

  public boolean deadlinePassed() {
    return remainingNanos() <= 0;
  }

  @Override
  public boolean isCancelled() {
    return cancelled || deadlinePassed();
  }

  @Override
  public void onCancel(Runnable listener) {
    java.util.Objects.requireNonNull(listener, "listener");
    synchronized (this) {
      if (!cancelled) {
        listeners.add(listener);
        return;
      }
    }
    runListener(listener);
  }

  /**
   * Runs {@code hook} on the cancelling thread when the call is cancelled, at once if it is, even
   * after the function returned: the kit's own wake-ups, never plugin code.
   */
  public void whenCancelled(Runnable hook) {
    synchronized (this) {
      if (!cancelled) {
        hooks.add(hook);
        return;
      }
    }
    hook.run();
  }

  /** Cancels the call; returns whether this call of it did (false if it already was). */
  public boolean cancel() {
    List<Runnable> toRun;
    List<Runnable> toHook;
    synchronized (this) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
      if (timer != null) {
        timer.cancel(false);
      }
      toRun = List.copyOf(listeners);
      toHook = List.copyOf(hooks);
      listeners.clear();
      hooks.clear();
    }
    toHook.forEach(Runnable::run);
    toRun.forEach(this::runListener);
    return true;
  }

  /** Marks the function as returned: later cancellation reaches no listener. Stops the timer. */
  public synchronized void finish() {
    cancelledBeforeFinish = isCancelled();
    finished = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /**
   * Whether the call was cancelled (or past its deadline) by the time the function returned: its
   * caller had stopped listening, so what it returned is no answer, as on the wire.
   */
  public synchronized boolean cancelledBeforeFinish() {
    return cancelledBeforeFinish;
  }

  private void runListener(Runnable listener) {
    Runnable guarded =
        () -> {
          if (!finished) {
            listener.run();
          }
        };
    try {
      listenerExecutor.execute(guarded);
    } catch (RejectedExecutionException closing) {
      Thread thread = new Thread(guarded, "pluginhost-testkit-cancel-listener");
      thread.setDaemon(true);
      thread.start();
    }
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }
}
