package dev.pluginhost.host.internal.services;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginService;
import dev.pluginhost.host.ServiceRequest;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.AcquireLockRequest;
import dev.pluginhost.proto.runner.v1.AcquireLockResponse;
import dev.pluginhost.proto.runner.v1.CallPluginRequest;
import dev.pluginhost.proto.runner.v1.CallPluginResponse;
import dev.pluginhost.proto.runner.v1.CallServiceRequest;
import dev.pluginhost.proto.runner.v1.CallServiceResponse;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.ItemError;
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvListResponse;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.KvPutResponse;
import dev.pluginhost.proto.runner.v1.LogRequest;
import dev.pluginhost.proto.runner.v1.LogResponse;
import dev.pluginhost.proto.runner.v1.MapPluginRequest;
import dev.pluginhost.proto.runner.v1.MapPluginResponse;
import dev.pluginhost.proto.runner.v1.ReleaseLockRequest;
import dev.pluginhost.proto.runner.v1.ReleaseLockResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host services one plugin process may use, served on its own socket: every request checks
 * the plugin's grants first, then acts for this caller only. Runs on the hub's request threads;
 * waits (locks, calls to other plugins) hold no thread.
 */
final class HostServicesEndpoint extends HostServicesGrpc.HostServicesImplBase {
  private static final Logger log = LoggerFactory.getLogger(HostServicesEndpoint.class);
  /** Requests to the application's services one process may have running or waiting. */
  static final int MAX_SERVICE_REQUESTS = 16;
  /** Used when a request carries no deadline (the runner always sets one). */
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
  static final String CALLER_METADATA = "pluginhost-caller";

  private final HostServiceHub hub;
  private final ServiceCaller caller;
  /** Stands for this process in the lock table; its holdings end with it. */
  private final Object owner;
  private final StructuredLogSink logSink;
  private final Semaphore serviceSlots = new Semaphore(MAX_SERVICE_REQUESTS);

  HostServicesEndpoint(HostServiceHub hub, ServiceCaller caller, Object owner) {
    this.hub = hub;
    this.caller = caller;
    this.owner = owner;
    this.logSink =
        new StructuredLogSink(caller.pluginId(), caller.version(), caller.pid(), caller.output());
  }

  @Override
  public void log(LogRequest request, StreamObserver<LogResponse> responses) {
    if (granted("log", responses)) {
      answer(responses, () -> {
        logSink.accept(request.getRecordsList(), request.getDropped());
        return LogResponse.getDefaultInstance();
      });
    }
  }

  @Override
  public void kvGet(KvGetRequest request, StreamObserver<KvGetResponse> responses) {
    if (granted("kv", responses)) {
      answer(responses, () -> {
        ByteString value = hub.store(caller.pluginId()).get(request.getKey());
        return value == null
            ? KvGetResponse.getDefaultInstance()
            : KvGetResponse.newBuilder().setFound(true).setValue(value).build();
      });
    }
  }

  @Override
  public void kvPut(KvPutRequest request, StreamObserver<KvPutResponse> responses) {
    if (granted("kv", responses)) {
      answer(responses, () -> {
        boolean applied =
            hub.store(caller.pluginId())
                .put(
                    request.getKey(),
                    request.hasValue() ? request.getValue() : null,
                    request.getConditional(),
                    request.hasExpected() ? request.getExpected() : null);
        return KvPutResponse.newBuilder().setApplied(applied).build();
      });
    }
  }

  @Override
  public void kvList(KvListRequest request, StreamObserver<KvListResponse> responses) {
    if (granted("kv", responses)) {
      answer(responses, () -> KvListResponse.newBuilder().addAllKeys(hub.store(caller.pluginId()).keys(request.getPrefix())).build());
    }
  }

  @Override
  public void acquireLock(AcquireLockRequest request, StreamObserver<AcquireLockResponse> responses) {
    if (!granted("locks", responses)) {
      return;
    }
    if (request.getLease().isEmpty() || request.getLease().length() > 64) {
      responses.onError(Status.INVALID_ARGUMENT.withDescription("a lease id is 1 to 64 characters").asRuntimeException());
      return;
    }
    LockTable table = hub.locks(caller.pluginId());
    LockTable.Lease lease = new LockTable.Lease(owner, request.getLease());
    ListenableFuture<Boolean> acquired;
    try {
      acquired = table.acquire(request.getName(), lease, request.getTryOnly());
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    }
    ServerCallStreamObserver<AcquireLockResponse> call = (ServerCallStreamObserver<AcquireLockResponse>) responses;
    call.setOnCancelHandler(() -> acquired.cancel(false));
    Futures.addCallback(
        acquired,
        new FutureCallback<>() {
          @Override
          public void onSuccess(Boolean held) {
            if (call.isCancelled()) {
              // Granted just as the caller gave up: pass the lock on.
              table.release(request.getName(), lease);
              return;
            }
            call.onNext(AcquireLockResponse.newBuilder().setAcquired(held).build());
            call.onCompleted();
          }

          @Override
          public void onFailure(Throwable t) {
            if (!call.isCancelled()) {
              call.onError(
                  Status.CANCELLED.withDescription("the process's hold on its locks ended").asRuntimeException());
            }
          }
        },
        directExecutor());
  }

  @Override
  public void releaseLock(ReleaseLockRequest request, StreamObserver<ReleaseLockResponse> responses) {
    if (granted("locks", responses)) {
      hub.locks(caller.pluginId()).release(request.getName(), new LockTable.Lease(owner, request.getLease()));
      responses.onNext(ReleaseLockResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }

  @Override
  public void callPlugin(CallPluginRequest request, StreamObserver<CallPluginResponse> responses) {
    PluginHandle target = target(request.getPluginId(), responses);
    if (target == null) {
      return;
    }
    relay(
        responses,
        () -> target.callAsync(request.getFunction(), request.getInput().toByteArray(), timeout(), callerMetadata()),
        output -> CallPluginResponse.newBuilder().setOutput(ByteString.copyFrom(output)).build());
  }

  @Override
  public void mapPlugin(MapPluginRequest request, StreamObserver<MapPluginResponse> responses) {
    PluginHandle target = target(request.getPluginId(), responses);
    if (target == null) {
      return;
    }
    List<byte[]> inputs = new ArrayList<>(request.getInputsCount());
    request.getInputsList().forEach(input -> inputs.add(input.toByteArray()));
    relay(
        responses,
        () -> target.mapAsync(request.getFunction(), inputs, MapOptions.timeout(timeout()).metadata(callerMetadata())),
        outcomes -> {
          MapPluginResponse.Builder response = MapPluginResponse.newBuilder();
          for (CallOutcome outcome : outcomes) {
            response.addResults(itemResult(outcome));
          }
          return response.build();
        });
  }

  @Override
  public void callService(CallServiceRequest request, StreamObserver<CallServiceResponse> responses) {
    if (!granted("service:" + request.getService(), responses)) {
      return;
    }
    PluginService service = hub.service(request.getService());
    if (service == null) {
      responses.onError(
          Status.NOT_FOUND
              .withDescription("the application registered no service '" + request.getService() + "' with this host")
              .asRuntimeException());
      return;
    }
    if (!serviceSlots.tryAcquire()) {
      responses.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription("plugin " + caller.pluginId() + " pid " + caller.pid().getAsLong() + " already has "
                  + MAX_SERVICE_REQUESTS + " requests to the application's services running or waiting")
              .asRuntimeException());
      return;
    }
    Instant deadline = Instant.now().plus(timeout());
    ServiceRequest serviceRequest =
        new ServiceRequest(
            request.getService(), caller.pluginId(), caller.pid().getAsLong(), request.getMethod(),
            request.getRequest().toByteArray(), deadline);
    // The slot is given back before the answer is sent: a process that sends its next request as
    // soon as an answer arrives must find the slot free.
    answer(responses, () -> {
      try {
        byte[] answer;
        try {
          answer = service.handle(serviceRequest);
        } finally {
          serviceSlots.release();
        }
        return CallServiceResponse.newBuilder().setResponse(answer == null ? ByteString.EMPTY : ByteString.copyFrom(answer)).build();
      } catch (StatusException e) {
        throw e.getStatus().asRuntimeException();
      } catch (StatusRuntimeException e) {
        throw Status.fromCode(e.getStatus().getCode()).withDescription(e.getStatus().getDescription()).asRuntimeException();
      } catch (IllegalArgumentException e) {
        throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
      } catch (Exception e) {
        log.error("service '{}' failed on {}", request.getService(), serviceRequest, e);
        throw Status.INTERNAL
            .withDescription("service '" + request.getService() + "' failed on method '" + request.getMethod()
                + "' (the host's log has why)")
            .asRuntimeException();
      }
    });
  }

  /** The plugin {@code id} if the caller may call it and it exists; otherwise answers and returns null. */
  private PluginHandle target(String id, StreamObserver<?> responses) {
    if (!granted("call:" + id, responses)) {
      return null;
    }
    PluginHandle target = hub.plugin(id).orElse(null);
    if (target == null) {
      responses.onError(Status.NOT_FOUND.withDescription("no plugin '" + id + "' on this host").asRuntimeException());
    }
    return target;
  }

  /** Answers with what {@code start} completes with, cancelling it if the caller goes away. */
  private <T, R> void relay(
      StreamObserver<R> responses, Supplier<ListenableFuture<T>> start, java.util.function.Function<T, R> response) {
    ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) responses;
    ListenableFuture<T> pending;
    try {
      pending = start.get();
    } catch (PluginCallException e) {
      responses.onError(e.toStatus().asRuntimeException());
      return;
    }
    call.setOnCancelHandler(() -> pending.cancel(true));
    Futures.addCallback(
        pending,
        new FutureCallback<>() {
          @Override
          public void onSuccess(T result) {
            if (!call.isCancelled()) {
              call.onNext(response.apply(result));
              call.onCompleted();
            }
          }

          @Override
          public void onFailure(Throwable t) {
            if (call.isCancelled() || t instanceof CancellationException) {
              return;
            }
            Status status =
                t instanceof PluginCallException
                    ? ((PluginCallException) t).toStatus()
                    : Status.INTERNAL.withDescription("the host failed the call: " + t);
            call.onError(status.asRuntimeException());
          }
        },
        directExecutor());
  }

  private static ItemResult itemResult(CallOutcome outcome) {
    if (outcome.succeeded()) {
      return ItemResult.newBuilder().setOutput(ByteString.copyFrom(outcome.value())).build();
    }
    PluginCallException error = outcome.error().orElseThrow();
    Status status = error.toStatus();
    ItemError.Builder item =
        ItemError.newBuilder().setCode(status.getCode().value()).setDescription(String.valueOf(status.getDescription()));
    error.remoteExceptionClass().ifPresent(item::setExceptionClass);
    return ItemResult.newBuilder().setError(item).build();
  }

  private Map<String, String> callerMetadata() {
    return Map.of(CALLER_METADATA, caller.pluginId());
  }

  /** What is left of the request's deadline. */
  private static Duration timeout() {
    Deadline deadline = Context.current().getDeadline();
    if (deadline == null) {
      return DEFAULT_TIMEOUT;
    }
    return Duration.ofNanos(Math.max(1, deadline.timeRemaining(TimeUnit.NANOSECONDS)));
  }

  /** Whether the plugin holds {@code grant}; if not, fails the call with PERMISSION_DENIED naming it. */
  private boolean granted(String grant, StreamObserver<?> responses) {
    if (caller.holds(grant)) {
      return true;
    }
    Metadata trailers = new Metadata();
    trailers.put(WireProtocol.MISSING_GRANT_TRAILER, grant);
    responses.onError(
        Status.PERMISSION_DENIED
            .withDescription("plugin " + caller.pluginId() + " was not granted \"" + grant
                + "\" (add it to the plugin's grants in its settings)")
            .asRuntimeException(trailers));
    return false;
  }

  /** Answers with what {@code work} returns, or with the status it throws. */
  private static <R> void answer(StreamObserver<R> responses, ThrowingSupplier<R> work) {
    R response;
    try {
      response = work.get();
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    } catch (RuntimeException e) {
      log.error("host service failed", e);
      responses.onError(Status.INTERNAL.withDescription("the host failed: " + e).asRuntimeException());
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }

  @FunctionalInterface
  private interface ThrowingSupplier<R> {
    R get();
  }
}
