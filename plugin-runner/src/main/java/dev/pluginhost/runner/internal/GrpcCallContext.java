package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.CallContext;
import io.grpc.Context;
import io.grpc.Deadline;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** A {@link CallContext} backed by the gRPC call's {@link Context}. */
final class GrpcCallContext implements CallContext {
  private final String function;
  private final Context grpcContext;
  private final Instant deadline;
  private final Map<String, String> metadata;
  private final Executor listenerExecutor;
  private final AtomicBoolean finished = new AtomicBoolean();

  GrpcCallContext(
      String function, Context grpcContext, Map<String, String> metadata, Executor listenerExecutor) {
    this.function = function;
    this.grpcContext = grpcContext;
    this.metadata = Map.copyOf(metadata);
    this.listenerExecutor = listenerExecutor;
    Deadline grpcDeadline = grpcContext.getDeadline();
    this.deadline =
        grpcDeadline == null
            ? Instant.MAX
            : Instant.now().plusNanos(grpcDeadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  @Override
  public String function() {
    return function;
  }

  @Override
  public Instant deadline() {
    return deadline;
  }

  @Override
  public boolean isCancelled() {
    return grpcContext.isCancelled();
  }

  @Override
  public void onCancel(Runnable listener) {
    // gRPC also cancels a server call's context when the call completes normally; a plugin's
    // listener only hears of real cancellations.
    grpcContext.addListener(
        context -> {
          if (!finished.get()) {
            listener.run();
          }
        },
        listenerExecutor);
  }

  /** Marks the handler as returned, so later context cancellation is not reported. */
  void markFinished() {
    finished.set(true);
  }

  @Override
  public Map<String, String> metadata() {
    return metadata;
  }
}
