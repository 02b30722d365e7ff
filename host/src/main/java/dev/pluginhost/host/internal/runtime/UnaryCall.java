package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.proto.runner.v1.InvokeRequest;
import dev.pluginhost.proto.runner.v1.InvokeResponse;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One unary call on one process. Its result is a future the host owns: the gRPC call's outcome,
 * the process's death and the call limit all race to complete it, and the first wins.
 */
final class UnaryCall implements InFlight {
  private final PluginProcess process;
  private final String function;
  private final Duration timeout;
  private final SettableFuture<byte[]> result = SettableFuture.create();

  private UnaryCall(PluginProcess process, String function, Duration timeout) {
    this.process = process;
    this.function = function;
    this.timeout = timeout;
  }

  /** Starts {@code function} on {@code process}; the future fails with PluginCallException. */
  static ListenableFuture<byte[]> start(
      PluginProcess process, String function, byte[] input, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    UnaryCall call = new UnaryCall(process, function, timeout);
    if (!process.register(call)) {
      return Futures.immediateFailedFuture(
          CallErrors.processDied(process.plugin.id(), function, process.deathNow()));
    }
    ListenableFuture<InvokeResponse> rpc =
        process.client().futureStub()
            .withDeadline(deadline)
            .invoke(
                InvokeRequest.newBuilder()
                    .setFunction(function)
                    .setInput(ByteString.copyFrom(input))
                    .putAllMetadata(metadata)
                    .build());
    Duration limit = process.settings.callTimeLimit();
    ScheduledFuture<?> limitTimer =
        process.runtime.scheduler.schedule(call::overLimit, limit.toNanos(), TimeUnit.NANOSECONDS);
    call.result.addListener(
        () -> {
          limitTimer.cancel(false);
          if (call.result.isCancelled()) {
            rpc.cancel(true);
          }
        },
        directExecutor());
    Futures.addCallback(
        rpc,
        new FutureCallback<>() {
          @Override
          public void onSuccess(InvokeResponse response) {
            call.result.set(response.getOutput().toByteArray());
          }

          @Override
          public void onFailure(Throwable t) {
            if (!call.result.isDone()) {
              Futures.addCallback(
                  CallErrors.fromRpcFailure(process, function, timeout, t),
                  new FutureCallback<PluginCallException>() {
                    @Override
                    public void onSuccess(PluginCallException error) {
                      call.result.setException(error);
                    }

                    @Override
                    public void onFailure(Throwable unexpected) {
                      call.result.setException(unexpected);
                    }
                  },
                  directExecutor());
            }
          }
        },
        directExecutor());
    return call.result;
  }

  private void overLimit() {
    if (result.isDone()) {
      return;
    }
    Duration limit = process.settings.callTimeLimit();
    result.setException(CallErrors.overCallLimit(process.plugin.id(), function, process.pid(), limit));
    process.kill(
        DeathCause.KILLED_CALL_LIMIT,
        "was killed as hung: call '" + function + "' ran past the " + CallErrors.millis(limit) + " call limit");
  }

  @Override
  public void processDied(ProcessDeath death) {
    result.setException(CallErrors.processDied(process.plugin.id(), function, death));
  }

  @Override
  public ListenableFuture<?> completion() {
    return result;
  }
}
