package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginService;
import dev.pluginhost.host.PluginServiceException;
import dev.pluginhost.host.ServiceRequest;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.proto.WireProtocol;
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
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host services one plugin process may use, served on its own socket: every request checks
 * the plugin's grants first, then acts for this caller only. Requests that only hand work on
 * (locks, calls, service requests) are handled on the I/O thread that read them; the store and
 * the log, which may wait on a disk or an appender, on the hub's request threads; the application's
 * services on threads of their own. Waits (locks, calls to other plugins) hold no thread.
 *
 * <p>What reaches the plugin in an error is chosen: the host's and the application's exception
 * messages stay in the host's log, and a failed call to another plugin says how it failed, never
 * that plugin's output or files.
 */
final class HostServicesEndpoint extends HostServicesGrpc.HostServicesImplBase {
  private static final Logger log = LoggerFactory.getLogger(HostServicesEndpoint.class);
  /** Log records one request may carry. */
  static final int MAX_RECORDS_PER_REQUEST = 1000;
  /** A plugin id, a service name, a log field's name. */
  static final java.util.regex.Pattern NAME = java.util.regex.Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final java.util.regex.Pattern METHOD = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,128}");
  /** Used when a request carries no deadline (the runner always sets one). */
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  private final HostServiceHub hub;
  private final ServiceCaller caller;
  /** Stands for this process in the lock table; its holdings end with it. */
  private final Object owner;
  private final StructuredLogSink logSink;

  HostServicesEndpoint(HostServiceHub hub, ServiceCaller caller, Object owner) {
    this.hub = hub;
    this.caller = caller;
    this.owner = owner;
    this.logSink =
        new StructuredLogSink(caller.pluginId(), caller.version(), caller.pid(), caller.output());
  }

  @Override
  public void log(LogRequest request, StreamObserver<LogResponse> responses) {
    if (!granted(Grants.LOG, responses)) {
      return;
    }
    if (request.getRecordsCount() > MAX_RECORDS_PER_REQUEST) {
      responses.onError(
          Status.RESOURCE_EXHAUSTED.withDescription("at most " + MAX_RECORDS_PER_REQUEST + " records a request").asRuntimeException());
      return;
    }
    answer(responses, () -> {
      logSink.accept(request.getRecordsList(), request.getDropped());
      return LogResponse.getDefaultInstance();
    });
  }

  @Override
  public void kvGet(KvGetRequest request, StreamObserver<KvGetResponse> responses) {
    if (granted(Grants.KV, responses)) {
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
    if (granted(Grants.KV, responses)) {
      answer(responses, () -> {
        if (Context.current().isCancelled()) {
          // The runner gave up on this write (its deadline passed while it queued): do not apply it late.
          throw Status.CANCELLED.withDescription("the write was given up before it ran").asRuntimeException();
        }
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
    if (granted(Grants.KV, responses)) {
      answer(responses, () -> KvListResponse.newBuilder().addAllKeys(hub.store(caller.pluginId()).keys(request.getPrefix())).build());
    }
  }

  /**
   * Takes a lock for as long as the call stays open: answers once when the lock is held, and
   * releases it when the caller ends the call or its process ends (which ends the call). A caller
   * that gives up while waiting is withdrawn; one granted just as it gave up passes the lock on.
   */
  @Override
  public void holdLock(HoldLockRequest request, StreamObserver<HoldLockResponse> responses) {
    if (!granted(Grants.LOCKS, responses)) {
      return;
    }
    LockTable table = hub.locks(caller.pluginId());
    String name = request.getName();
    LockTable.Lease lease = new LockTable.Lease(owner, java.util.UUID.randomUUID().toString());
    ServerCallStreamObserver<HoldLockResponse> call = (ServerCallStreamObserver<HoldLockResponse>) responses;
    ListenableFuture<Boolean> acquired;
    try {
      acquired = table.acquire(name, lease, request.getTryOnly());
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    }
    call.setOnCancelHandler(
        () -> {
          // Done means granted (or a try that missed, where a release does nothing): release it.
          if (!acquired.cancel(false)) {
            table.release(name, lease);
          }
        });
    acquired.addListener(
        () -> {
          if (acquired.isCancelled()) {
            return;
          }
          boolean held = Futures.getUnchecked(acquired);
          if (call.isCancelled()) {
            table.release(name, lease);
            return;
          }
          call.onNext(HoldLockResponse.newBuilder().setAcquired(held).build());
          if (!held) {
            call.onCompleted();
          }
        },
        hub.requests());
  }

  @Override
  public void callPlugin(CallPluginRequest request, StreamObserver<CallPluginResponse> responses) {
    PluginHandle target = target(request.getPluginId(), responses);
    if (target == null) {
      return;
    }
    // One output to wrap: answered on the thread that completes the call, like the host's own callers.
    relay(
        responses,
        () -> target.callAsync(request.getFunction(), request.getInput().toByteArray(), timeout(), callerMetadata()),
        output -> CallPluginResponse.newBuilder().setOutput(ByteString.copyFrom(output)).build(),
        MoreExecutors.directExecutor());
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
        },
        hub.requests());
  }

  @Override
  public void callService(CallServiceRequest request, StreamObserver<CallServiceResponse> responses) {
    if (!named(request.getService(), NAME, "service", responses)
        || !named(request.getMethod(), METHOD, "method", responses)
        || !granted(Grants.SERVICE_PREFIX + request.getService(), responses)) {
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
    Semaphore slots = hub.serviceSlots(caller.pluginId());
    if (!slots.tryAcquire()) {
      responses.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription("plugin " + caller.pluginId() + " already has " + HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN
                  + " requests to the application's services running")
              .asRuntimeException());
      return;
    }
    ServiceRequest serviceRequest =
        new ServiceRequest(
            request.getService(), caller.pluginId(), caller.pid().getAsLong(), request.getMethod(),
            request.getRequest().toByteArray(), Instant.now().plus(timeout()));
    try {
      // The slot is given back before the answer is sent: a plugin that sends its next request as
      // soon as an answer arrives must find the slot free.
      hub.applicationServices().execute(() -> answer(responses, () -> {
        try {
          return askService(service, serviceRequest);
        } finally {
          slots.release();
        }
      }));
    } catch (RejectedExecutionException e) {
      slots.release();
      responses.onError(
          Status.RESOURCE_EXHAUSTED
              .withDescription("the host runs " + HostServiceHub.SERVICE_THREADS + " requests to the application's"
                  + " services already, its limit")
              .asRuntimeException());
    }
  }

  /** The service's answer, or the status the plugin may see of its failure. */
  private static CallServiceResponse askService(PluginService service, ServiceRequest request) {
    try {
      byte[] answer = service.handle(request);
      return CallServiceResponse.newBuilder().setResponse(answer == null ? ByteString.EMPTY : ByteString.copyFrom(answer)).build();
    } catch (PluginServiceException e) {
      throw Status.fromCode(e.code()).withDescription(e.getMessage()).asRuntimeException();
    } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
      // Errors too (a class the service could not load, an assertion): still the service's failure,
      // still INTERNAL to the plugin. Running out of memory is the host's, and goes up.
      log.error("service '{}' failed on {}", request.service(), request, e);
      throw Status.INTERNAL
          .withDescription("service '" + request.service() + "' failed on method '" + request.method()
              + "' (the host's log has why)")
          .asRuntimeException();
    }
  }

  /** Whether {@code value} is a well-formed {@code what}; if not, fails the call with INVALID_ARGUMENT. */
  private static boolean named(String value, java.util.regex.Pattern form, String what, StreamObserver<?> responses) {
    if (form.matcher(value).matches()) {
      return true;
    }
    responses.onError(
        Status.INVALID_ARGUMENT.withDescription("not a valid " + what + " name (" + form.pattern() + ")").asRuntimeException());
    return false;
  }

  /** The plugin {@code id} if the caller may call it and it exists; otherwise answers and returns null. */
  private PluginHandle target(String id, StreamObserver<?> responses) {
    if (!named(id, NAME, "plugin", responses) || !granted(Grants.CALL_PREFIX + id, responses)) {
      return null;
    }
    PluginHandle target = hub.plugin(id).orElse(null);
    if (target == null) {
      responses.onError(Status.NOT_FOUND.withDescription("no plugin '" + id + "' on this host").asRuntimeException());
    }
    return target;
  }

  /**
   * Answers with what {@code start} completes with, cancelling it if the caller goes away; the
   * answer is built on {@code answerOn} (a map's many outputs on the hub's threads, not on the I/O
   * thread that completes it).
   */
  private <T, R> void relay(
      StreamObserver<R> responses,
      Supplier<ListenableFuture<T>> start,
      java.util.function.Function<T, R> response,
      java.util.concurrent.Executor answerOn) {
    ServerCallStreamObserver<R> call = (ServerCallStreamObserver<R>) responses;
    ListenableFuture<T> pending;
    try {
      pending = start.get();
    } catch (PluginCallException e) {
      responses.onError(statusForPlugin(e).asRuntimeException());
      return;
    }
    call.setOnCancelHandler(() -> pending.cancel(true));
    Futures.addCallback(
        pending,
        new FutureCallback<>() {
          @Override
          public void onSuccess(T result) {
            if (call.isCancelled()) {
              return;
            }
            R answer;
            try {
              answer = response.apply(result);
            } catch (RuntimeException e) {
              log.error("plugin {}: could not answer a call it made through the host", caller.pluginId(), e);
              call.onError(Status.INTERNAL.withDescription("the host could not build the answer").asRuntimeException());
              return;
            }
            call.onNext(answer);
            call.onCompleted();
          }

          @Override
          public void onFailure(Throwable t) {
            if (call.isCancelled() || t instanceof CancellationException) {
              return;
            }
            if (!(t instanceof PluginCallException)) {
              log.error("plugin {}: a call it made through the host failed", caller.pluginId(), t);
            }
            Status status =
                t instanceof PluginCallException
                    ? statusForPlugin((PluginCallException) t)
                    : Status.INTERNAL.withDescription("the host failed the call (the host's log has why)");
            call.onError(status.asRuntimeException());
          }
        },
        answerOn);
  }

  /**
   * A failed call as the calling plugin may see it: its code and what the callee's function said,
   * but of a dead process only how it ended, never its last output or the host's file paths.
   */
  static Status statusForPlugin(PluginCallException e) {
    if (e.death().isPresent()) {
      return Status.fromCode(e.code())
          .withDescription("plugin " + e.pluginId() + " failed the call: its process ended ("
              + e.death().get().cause().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + ")");
    }
    return e.toStatus();
  }

  private static ItemResult itemResult(CallOutcome outcome) {
    if (outcome.succeeded()) {
      return ItemResult.newBuilder().setOutput(ByteString.copyFrom(outcome.value())).build();
    }
    PluginCallException error = outcome.error().orElseThrow();
    Status status = statusForPlugin(error);
    ItemError.Builder item =
        ItemError.newBuilder().setCode(status.getCode().value()).setDescription(String.valueOf(status.getDescription()));
    error.remoteExceptionClass().ifPresent(item::setExceptionClass);
    return ItemResult.newBuilder().setError(item).build();
  }

  private Map<String, String> callerMetadata() {
    return Map.of(PluginApi.CALLER_METADATA, caller.pluginId());
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
            .withDescription(HostServiceException.denied(caller.pluginId(), grant).description())
            .asRuntimeException(trailers));
    return false;
  }

  /** Answers with what {@code work} returns, or with the status it throws. */
  private static <R> void answer(StreamObserver<R> responses, Supplier<R> work) {
    R response;
    try {
      response = work.get();
    } catch (StatusRuntimeException e) {
      responses.onError(e);
      return;
    } catch (RuntimeException e) {
      log.error("host service failed", e);
      responses.onError(Status.INTERNAL.withDescription("the host failed the request (the host's log has why)").asRuntimeException());
      return;
    }
    responses.onNext(response);
    responses.onCompleted();
  }
}
