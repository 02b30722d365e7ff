package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.proto.runner.v1.InvokeBatchRequest;
import dev.pluginhost.proto.runner.v1.InvokeRequest;
import dev.pluginhost.proto.runner.v1.ItemError;
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc.PluginRunnerFutureStub;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One unary RPC on one process (a call, or a batch of a map). Its result is a future the host
 * owns: the RPC's outcome, the process's death and the call limit race to complete it, and the
 * first wins.
 */
final class TrackedCall<T> implements InFlight {
  private final PluginProcess process;
  private final String function;
  private final Duration timeout;
  private final SettableFuture<T> result = SettableFuture.create();

  private TrackedCall(PluginProcess process, String function, Duration timeout) {
    this.process = process;
    this.function = function;
    this.timeout = timeout;
  }

  /** Calls {@code function} once; the future fails with PluginCallException. */
  static ListenableFuture<byte[]> unary(
      PluginProcess process, String function, byte[] input, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    InvokeRequest request =
        InvokeRequest.newBuilder()
            .setFunction(function)
            .setInput(ByteString.copyFrom(input))
            .putAllMetadata(metadata)
            .build();
    return start(
        process, function, timeout,
        stub -> stub.withDeadline(deadline).invoke(request),
        response -> response.getOutput().toByteArray());
  }

  /** Calls {@code function} once per input in one RPC; one outcome per input. */
  static ListenableFuture<List<CallOutcome>> batch(
      PluginProcess process, String function, List<byte[]> inputs, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    InvokeBatchRequest.Builder request = InvokeBatchRequest.newBuilder().setFunction(function).putAllMetadata(metadata);
    inputs.forEach(input -> request.addInputs(ByteString.copyFrom(input)));
    InvokeBatchRequest built = request.build();
    return start(
        process, function, timeout,
        stub -> stub.withDeadline(deadline).invokeBatch(built),
        response -> {
          List<CallOutcome> outcomes = new ArrayList<>(inputs.size());
          for (ItemResult item : response.getResultsList()) {
            outcomes.add(
                item.hasError()
                    ? CallOutcome.failure(itemError(process, function, item.getError()))
                    : CallOutcome.success(item.getOutput().toByteArray()));
          }
          // A batch cut short (its deadline passed inside the plugin) leaves the rest unanswered.
          while (outcomes.size() < inputs.size()) {
            outcomes.add(CallOutcome.failure(CallErrors.deadlineExceeded(process.plugin.id(), function, process.pid(), timeout)));
          }
          return outcomes;
        });
  }

  private static PluginCallException itemError(PluginProcess process, String function, ItemError error) {
    return new PluginCallException(
        Status.fromCodeValue(error.getCode()).getCode(),
        process.plugin.id(),
        function,
        process.pid(),
        "plugin " + process.plugin.id() + " (pid " + process.pid() + "): " + error.getDescription(),
        null,
        error.getExceptionClass().isEmpty() ? null : error.getExceptionClass(),
        null);
  }

  private static <R, T> ListenableFuture<T> start(
      PluginProcess process,
      String function,
      Duration timeout,
      Function<PluginRunnerFutureStub, ListenableFuture<R>> rpcCall,
      Function<R, T> toResult) {
    TrackedCall<T> call = new TrackedCall<>(process, function, timeout);
    if (!process.register(call)) {
      return Futures.immediateFailedFuture(
          process.notSent(function));
    }
    ListenableFuture<R> rpc = rpcCall.apply(process.client().futureStub());
    ScheduledFuture<?> limitTimer =
        process.runtime.scheduler.schedule(
            call::overLimit, process.settings.callTimeLimit().toNanos(), TimeUnit.NANOSECONDS);
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
        new FutureCallback<R>() {
          @Override
          public void onSuccess(R response) {
            call.result.set(toResult.apply(response));
          }

          @Override
          public void onFailure(Throwable t) {
            if (call.result.isDone()) {
              return;
            }
            ListenableFuture<PluginCallException> error = CallErrors.fromRpcFailure(process, function, timeout, t);
            error.addListener(() -> call.result.setException(Futures.getUnchecked(error)), directExecutor());
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
    String detail =
        "was killed as hung: call '" + function + "' ran past the " + CallErrors.millis(limit) + " call limit";
    // Condemned before the caller hears: a call it makes next must not be sent to this process.
    process.condemn(detail);
    result.setException(CallErrors.overCallLimit(process.plugin.id(), function, process.pid(), limit));
    process.kill(DeathCause.KILLED_CALL_LIMIT, detail);
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
