package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.TypedFunction;
import java.time.Duration;

/** What one method of a proxied interface does: which function it calls, and how it answers. */
final class ProxyMethod {
  private static final byte[] NO_INPUT = new byte[0];

  /** How the method hands back the reply. */
  enum Answer {
    /** Waits, and returns the reply. */
    VALUE,
    /** Waits, and returns nothing. */
    NOTHING,
    /** Returns a ListenableFuture at once. */
    LISTENABLE_FUTURE,
    /** Returns a CompletableFuture at once. */
    COMPLETABLE_FUTURE
  }

  private final String method;
  private final TypedFunction<Object, Object> function;
  private final boolean takesInput;
  private final Answer answer;
  private final boolean discardsReply;
  private final Duration timeout;

  /**
   * @param method how error messages name the method
   * @param takesInput false when the method has no parameter, and the function gets no bytes
   * @param discardsReply true for {@code void} and {@code Future<Void>}: the reply is not decoded
   */
  ProxyMethod(
      String method,
      TypedFunction<Object, Object> function,
      boolean takesInput,
      Answer answer,
      boolean discardsReply,
      Duration timeout) {
    this.method = method;
    this.function = function;
    this.takesInput = takesInput;
    this.answer = answer;
    this.discardsReply = discardsReply;
    this.timeout = timeout;
  }

  /** Makes the call for arguments {@code args} (null when there are none). */
  Object invoke(Object[] args) {
    Object input = takesInput ? checkNotNull(args[0], "%s was given null; a plugin call needs an input", method) : NO_INPUT;
    switch (answer) {
      case VALUE:
        return function.call(input, timeout);
      case NOTHING:
        function.call(input, timeout);
        return null;
      case LISTENABLE_FUTURE:
        return callAsync(input);
      case COMPLETABLE_FUTURE:
        return CompletableFutures.of(callAsync(input));
      default:
        throw new AssertionError(answer);
    }
  }

  private ListenableFuture<Object> callAsync(Object input) {
    ListenableFuture<Object> reply = function.callAsync(input, timeout);
    return discardsReply ? Futures.transform(reply, ignored -> null, directExecutor()) : reply;
  }

  @Override
  public String toString() {
    return method + " -> " + function;
  }
}
