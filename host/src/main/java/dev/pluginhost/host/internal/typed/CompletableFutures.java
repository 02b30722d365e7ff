package dev.pluginhost.host.internal.typed;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.util.concurrent.CompletableFuture;

/** Hands a call's {@link ListenableFuture} to code that wants a {@link CompletableFuture}. */
final class CompletableFutures {
  private CompletableFutures() {}

  /**
   * A CompletableFuture that completes as {@code future} does, on the same thread. Cancelling it
   * cancels {@code future}, and so the call; completing it any other way from outside leaves the
   * call running.
   */
  static <T> CompletableFuture<T> of(ListenableFuture<T> future) {
    CompletableFuture<T> result = new CompletableFuture<>();
    result.whenComplete(
        (value, failure) -> {
          if (result.isCancelled()) {
            future.cancel(false);
          }
        });
    Futures.addCallback(
        future,
        new FutureCallback<T>() {
          @Override
          public void onSuccess(T value) {
            result.complete(value);
          }

          @Override
          public void onFailure(Throwable t) {
            result.completeExceptionally(t);
          }
        },
        directExecutor());
    return result;
  }
}
