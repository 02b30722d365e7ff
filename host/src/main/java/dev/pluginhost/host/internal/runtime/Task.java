package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.PluginCallException;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;

/**
 * A call waiting for, or running on, one of a plugin's processes. It may run more than once: the
 * supervisor sends it again when its process died before it was sent, or died under it and the
 * call is idempotent. Its {@link #result} completes exactly once.
 *
 * @param <T> what the caller gets: bytes, a batch's outcomes, or an open pipe
 */
abstract class Task<T> {
  /** Sends one attempt on a worker. */
  interface Sender<T> {
    ListenableFuture<T> send(Worker worker, Task<T> task);
  }

  /** What the supervisor does with an attempt that failed. */
  interface FailureHandler {
    void attemptFailed(Task<?> task, PluginCallException error);
  }

  final String function;
  final Deadline deadline;
  final Duration timeout;
  final Map<String, String> metadata;
  final SettableFuture<T> result = SettableFuture.create();
  private final Boolean idempotentOverride;
  /** Attempts that reached a process. */
  int attempts;
  /** The timer that fails the task if it waits in the queue past its deadline. */
  Future<?> queueTimer;
  private volatile ListenableFuture<?> current;

  Task(String function, Deadline deadline, Duration timeout, Map<String, String> metadata, Boolean idempotentOverride) {
    this.function = function;
    this.deadline = deadline;
    this.timeout = timeout;
    this.metadata = Map.copyOf(metadata);
    this.idempotentOverride = idempotentOverride;
    result.addListener(
        () -> {
          ListenableFuture<?> attempt = current;
          if (result.isCancelled() && attempt != null) {
            attempt.cancel(true);
          }
        },
        directExecutor());
  }

  /** Whether running twice is safe: the caller's word if given, else the plugin's declaration. */
  boolean idempotent(Set<String> declaredIdempotent) {
    return idempotentOverride != null ? idempotentOverride : declaredIdempotent.contains(function);
  }

  /**
   * Runs one attempt on {@code worker}. Returns a future that completes when the worker is free
   * of this attempt (for a pipe, when the stream ends). A failure goes to {@code failures}; a
   * success completes {@link #result}.
   */
  abstract ListenableFuture<?> attemptOn(Worker worker, FailureHandler failures);

  /** Ends the task with {@code error}, unless it has already ended. */
  void fail(PluginCallException error) {
    result.setException(error);
  }

  boolean isDone() {
    return result.isDone();
  }

  /** A call whose attempt is one future of T: a unary call or a batch. */
  static final class Call<T> extends Task<T> {
    private final Sender<T> sender;

    Call(String function, Deadline deadline, Duration timeout, Map<String, String> metadata,
        Boolean idempotentOverride, Sender<T> sender) {
      super(function, deadline, timeout, metadata, idempotentOverride);
      this.sender = sender;
    }

    @Override
    ListenableFuture<?> attemptOn(Worker worker, FailureHandler failures) {
      ListenableFuture<T> attempt = sender.send(worker, this);
      track(attempt);
      Futures.addCallback(
          attempt,
          new FutureCallback<T>() {
            @Override
            public void onSuccess(T value) {
              result.set(value);
            }

            @Override
            public void onFailure(Throwable t) {
              if (t instanceof PluginCallException) {
                failures.attemptFailed(Call.this, (PluginCallException) t);
              } else if (!result.isCancelled()) {
                result.setException(t);
              }
            }
          },
          directExecutor());
      return attempt;
    }
  }

  /** Opening a pipe: the attempt succeeds once the stream is open, and holds its process until it ends. */
  static final class Pipe extends Task<TrackedPipe> {
    Pipe(String function, Deadline deadline, Duration timeout, Map<String, String> metadata) {
      super(function, deadline, timeout, metadata, false);
    }

    @Override
    ListenableFuture<?> attemptOn(Worker worker, FailureHandler failures) {
      try {
        TrackedPipe pipe = worker.openPipe(function, deadline, timeout, metadata);
        if (!result.set(pipe)) {
          pipe.cancel();
        }
        return pipe.completion();
      } catch (PluginCallException e) {
        failures.attemptFailed(this, e);
        return Futures.immediateVoidFuture();
      }
    }
  }

  void track(ListenableFuture<?> attempt) {
    current = attempt;
    if (result.isCancelled()) {
      attempt.cancel(true);
    }
  }
}
