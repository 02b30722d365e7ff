package dev.pluginhost.runner.internal;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.GetStatsResponse;
import dev.pluginhost.proto.runner.v1.HandshakeRequest;
import dev.pluginhost.proto.runner.v1.HandshakeResponse;
import dev.pluginhost.proto.runner.v1.InvokeBatchRequest;
import dev.pluginhost.proto.runner.v1.InvokeBatchResponse;
import dev.pluginhost.proto.runner.v1.InvokeRequest;
import dev.pluginhost.proto.runner.v1.ItemError;
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.InvokeResponse;
import dev.pluginhost.proto.runner.v1.PipeFrame;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc;
import dev.pluginhost.proto.runner.v1.ShutdownRequest;
import dev.pluginhost.proto.runner.v1.ShutdownResponse;
import dev.pluginhost.proto.runner.v1.StartPluginRequest;
import dev.pluginhost.proto.runner.v1.StartPluginResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/** The runner's side of {@code pluginhost.runner.v1.PluginRunner}. */
final class RunnerService extends PluginRunnerGrpc.PluginRunnerImplBase {
  /** The largest batch of a NON_BLOCKING function run on the event loop; larger ones are handed over. */
  static final int INLINE_BATCH_LIMIT = 64;
  private final Runner runner;
  private final FunctionTable functions = new FunctionTable();
  private final CallTracker calls = new CallTracker();
  private final AtomicInteger streamsInFlight = new AtomicInteger();
  private final Executor handlerExecutor;
  private volatile Plugin plugin;
  private boolean startRequested;

  RunnerService(Runner runner, Executor handlerExecutor) {
    this.runner = runner;
    this.handlerExecutor = handlerExecutor;
  }

  Plugin plugin() {
    return plugin;
  }

  @Override
  public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> responses) {
    if (request.getProtocolVersion() != runner.protocolVersion()) {
      responses.onError(
          Status.FAILED_PRECONDITION
              .withDescription(
                  WireProtocol.versionMismatch(request.getProtocolVersion(), runner.protocolVersion()))
              .asRuntimeException());
      return;
    }
    responses.onNext(
        HandshakeResponse.newBuilder()
            .setProtocolVersion(runner.protocolVersion())
            .setProof(
                ByteString.copyFrom(
                    WireProtocol.proof(runner.token(), request.getChallenge().toByteArray())))
            .setPid(ProcessHandle.current().pid())
            .setPluginId(runner.plugin().id)
            .setPluginVersion(runner.plugin().version)
            .setPluginApiVersion(PluginApi.VERSION)
            .build());
    responses.onCompleted();
  }

  @Override
  public void startPlugin(StartPluginRequest request, StreamObserver<StartPluginResponse> responses) {
    onHandlerThread(responses, () -> startPluginNow(request, responses));
  }

  private void startPluginNow(StartPluginRequest request, StreamObserver<StartPluginResponse> responses) {
    synchronized (this) {
      if (startRequested) {
        responses.onError(
            Status.FAILED_PRECONDITION.withDescription("the plugin was already started").asRuntimeException());
        return;
      }
      startRequested = true;
    }
    LoadedPlugin loaded = runner.plugin();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loaded.classLoader);
    try {
      Plugin instance = loaded.instantiate();
      instance.start(
          new RunnerPluginContext(
              loaded, request.getConfigMap(), runner.pluginLogger(), runner.dataDirectory(), functions,
              runner.hostServices()));
      functions.freeze();
      plugin = instance;
    } catch (Throwable t) {
      functions.freeze();
      runner.log("start hook failed", t);
      runner.exitIfOutOfMemory(t);
      responses.onError(
          Status.UNKNOWN
              .withDescription("start hook threw " + t.getClass().getName() + describeMessage(t))
              .asRuntimeException());
      return;
    } finally {
      thread.setContextClassLoader(previous);
    }
    responses.onNext(StartPluginResponse.newBuilder().addAllFunctions(functions.describe()).build());
    responses.onCompleted();
  }

  @Override
  public void invoke(InvokeRequest request, StreamObserver<InvokeResponse> responses) {
    if (functions.nonBlocking(request.getFunction())) {
      invokeNow(request, responses);
      return;
    }
    onHandlerThread(responses, () -> invokeNow(request, responses));
  }

  private void invokeNow(InvokeRequest request, StreamObserver<InvokeResponse> responses) {
    String name = request.getFunction();
    UnaryFunction function = unaryOrFail(name, responses);
    if (function == null) {
      return;
    }
    byte[] output;
    try {
      output = runUnary(name, request.getMetadataMap(), call -> function.apply(call, request.getInput().toByteArray()));
    } catch (Throwable t) {
      runner.log("function '" + name + "' failed", t);
      runner.exitIfOutOfMemory(t);
      sendQuietly(responses, null, HandlerFailures.toStatus(name, t));
      return;
    }
    InvokeResponse response =
        InvokeResponse.newBuilder()
            .setOutput(output == null ? ByteString.EMPTY : ByteString.copyFrom(output))
            .build();
    sendQuietly(responses, response, null);
  }

  @Override
  public void invokeBatch(InvokeBatchRequest request, StreamObserver<InvokeBatchResponse> responses) {
    // A non-blocking function's microseconds add up over a large batch: only small ones run in
    // place, so the event loop is never held long enough to miss a health probe.
    if (functions.nonBlocking(request.getFunction()) && request.getInputsCount() <= INLINE_BATCH_LIMIT) {
      invokeBatchNow(request, responses);
      return;
    }
    onHandlerThread(responses, () -> invokeBatchNow(request, responses));
  }

  private void invokeBatchNow(InvokeBatchRequest request, StreamObserver<InvokeBatchResponse> responses) {
    String name = request.getFunction();
    UnaryFunction function = unaryOrFail(name, responses);
    if (function == null) {
      return;
    }
    InvokeBatchResponse.Builder results = InvokeBatchResponse.newBuilder();
    try {
      runUnary(
          name,
          request.getMetadataMap(),
          call -> {
            for (ByteString input : request.getInputsList()) {
              if (call.isCancelled()) {
                break;
              }
              results.addResults(batchItem(name, function, call, input));
            }
            return null;
          });
    } catch (Throwable unexpected) {
      // batchItem catches what the plugin throws; anything else is the runner's own failure.
      sendQuietly(responses, null, HandlerFailures.toStatus(name, unexpected));
      return;
    }
    sendQuietly(responses, results.build(), null);
  }

  private ItemResult batchItem(String name, UnaryFunction function, GrpcCallContext call, ByteString input) {
    try {
      byte[] output = function.apply(call, input.toByteArray());
      return ItemResult.newBuilder()
          .setOutput(output == null ? ByteString.EMPTY : ByteString.copyFrom(output))
          .build();
    } catch (Throwable t) {
      runner.exitIfOutOfMemory(t);
      StatusRuntimeException failure = HandlerFailures.toStatus(name, t);
      return ItemResult.newBuilder()
          .setError(
              ItemError.newBuilder()
                  .setCode(failure.getStatus().getCode().value())
                  .setDescription(failure.getStatus().getDescription())
                  .setExceptionClass(t.getClass().getName()))
          .build();
    }
  }

  /**
   * Runs {@code work} on a handler thread, in this call's gRPC context. The server calls this
   * service on its event loop (a direct executor saves a thread hop per call), where plugin code
   * must not run unless its function is declared NON_BLOCKING: it may block, and the event loop
   * also answers health probes and cancellations.
   */
  private void onHandlerThread(StreamObserver<?> responses, Runnable work) {
    try {
      handlerExecutor.execute(Context.current().wrap(work));
    } catch (RejectedExecutionException e) {
      sendQuietly(responses, null, Status.UNAVAILABLE.withDescription("the runner is shutting down").asRuntimeException());
    }
  }

  /** The unary function called {@code name}, or null after failing the call for want of it. */
  private UnaryFunction unaryOrFail(String name, StreamObserver<?> responses) {
    if (plugin == null) {
      responses.onError(notStarted());
      return null;
    }
    UnaryFunction function = functions.unary(name);
    if (function == null) {
      responses.onError(noSuchFunction(name));
    }
    return function;
  }

  /** What a unary handler does with its call. */
  private interface UnaryWork<T> {
    T run(GrpcCallContext call) throws Exception;
  }

  /**
   * Runs a unary handler on this handler thread as the plugin's code expects: its class loader as
   * the context loader, the call counted (so the watchdog sees how long it runs), and the call
   * marked finished afterwards, so later cancellation of the gRPC context is not reported.
   */
  private <T> T runUnary(String name, java.util.Map<String, String> metadata, UnaryWork<T> work) throws Exception {
    GrpcCallContext call = new GrpcCallContext(name, Context.current(), metadata, handlerExecutor);
    long id = calls.begin();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(runner.plugin().classLoader);
    try {
      return work.run(call);
    } finally {
      call.markFinished();
      calls.end(id);
      thread.setContextClassLoader(previous);
    }
  }

  @Override
  public StreamObserver<PipeFrame> pipe(StreamObserver<PipeFrame> responseObserver) {
    ServerCallStreamObserver<PipeFrame> responses =
        (ServerCallStreamObserver<PipeFrame>) responseObserver;
    responses.disableAutoRequest();
    Context grpcContext = Context.current();
    PipeCall pipeCall = new PipeCall(responses, grpcContext);
    responses.setOnCancelHandler(pipeCall::cancelled);
    // gRPC takes these handlers only now, before the open frame says which function runs.
    responses.setOnReadyHandler(pipeCall::ready);
    responses.request(1);
    return pipeCall;
  }

  /** One streaming call: waits for its open frame, then feeds a {@link PipeEnd}. */
  private final class PipeCall implements StreamObserver<PipeFrame> {
    private final ServerCallStreamObserver<PipeFrame> responses;
    private final Context grpcContext;
    private volatile PipeEnd end;
    private boolean failed;

    PipeCall(ServerCallStreamObserver<PipeFrame> responses, Context grpcContext) {
      this.responses = responses;
      this.grpcContext = grpcContext;
    }

    @Override
    public void onNext(PipeFrame frame) {
      if (failed) {
        return;
      }
      if (end == null) {
        open(frame);
      } else if (frame.hasData()) {
        end.deliver(frame.getData());
      } else {
        fail(Status.INVALID_ARGUMENT.withDescription("a pipe is opened once, by its first frame"));
      }
    }

    private void open(PipeFrame frame) {
      if (!frame.hasOpen()) {
        fail(Status.INVALID_ARGUMENT.withDescription("the first frame of a pipe must open it"));
        return;
      }
      if (plugin == null) {
        fail(notStarted().getStatus());
        return;
      }
      String name = frame.getOpen().getFunction();
      StreamingFunction function = functions.streaming(name);
      if (function == null) {
        fail(noSuchFunction(name).getStatus());
        return;
      }
      GrpcCallContext call =
          new GrpcCallContext(name, grpcContext, frame.getOpen().getMetadataMap(), handlerExecutor);
      PipeEnd pipeEnd = new PipeEnd(responses, call);
      end = pipeEnd;
      pipeEnd.start(WireProtocol.pipeWindow(runner.maxMessageBytes()));
      handlerExecutor.execute(() -> serve(name, function, call, pipeEnd));
    }

    private void serve(String name, StreamingFunction function, GrpcCallContext call, PipeEnd pipeEnd) {
      // Streams may rightly last long, so they are counted but not aged against the call limit.
      streamsInFlight.incrementAndGet();
      Thread thread = Thread.currentThread();
      ClassLoader previous = thread.getContextClassLoader();
      thread.setContextClassLoader(runner.plugin().classLoader);
      try {
        function.run(call, pipeEnd);
        responses.onCompleted();
      } catch (Throwable t) {
        if (!call.isCancelled()) {
          runner.log("streaming function '" + name + "' failed", t);
        }
        runner.exitIfOutOfMemory(t);
        try {
          responses.onError(HandlerFailures.toStatus(name, t));
        } catch (RuntimeException alreadyClosed) {
          // The caller went away first.
        }
      } finally {
        call.markFinished();
        streamsInFlight.decrementAndGet();
        thread.setContextClassLoader(previous);
      }
    }

    private void fail(Status status) {
      failed = true;
      responses.onError(status.asRuntimeException());
    }

    void ready() {
      PipeEnd pipeEnd = end;
      if (pipeEnd != null) {
        pipeEnd.signalReadiness();
      }
    }

    void cancelled() {
      PipeEnd pipeEnd = end;
      if (pipeEnd != null) {
        pipeEnd.deliverCancel();
      }
    }

    @Override
    public void onError(Throwable t) {
      cancelled();
    }

    @Override
    public void onCompleted() {
      PipeEnd pipeEnd = end;
      if (pipeEnd != null) {
        pipeEnd.deliverEnd();
      }
    }
  }

  @Override
  public void shutdown(ShutdownRequest request, StreamObserver<ShutdownResponse> responses) {
    responses.onNext(ShutdownResponse.getDefaultInstance());
    responses.onCompleted();
    runner.shutdownGracefully(Duration.ofMillis(Math.max(0, request.getGraceMillis())));
  }

  @Override
  public void getStats(GetStatsRequest request, StreamObserver<GetStatsResponse> responses) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    responses.onNext(
        GetStatsResponse.newBuilder()
            .setHeapUsedBytes(heap.getUsed())
            .setHeapMaxBytes(heap.getMax())
            .setThreadCount(ManagementFactory.getThreadMXBean().getThreadCount())
            .setCallsInFlight(calls.inFlight() + streamsInFlight.get())
            .setOldestCallMillis(calls.oldestAgeMillis())
            .setCallsCompleted(calls.completed())
            .build());
    responses.onCompleted();
  }

  private StatusRuntimeException noSuchFunction(String name) {
    return Status.UNIMPLEMENTED
        .withDescription("no function '" + name + "'; this plugin has: " + functions.names())
        .asRuntimeException();
  }

  private static StatusRuntimeException notStarted() {
    return Status.FAILED_PRECONDITION.withDescription("the plugin has not been started").asRuntimeException();
  }

  private static String describeMessage(Throwable t) {
    return t.getMessage() == null ? "" : ": " + t.getMessage();
  }

  /** Completes a unary call, ignoring a caller that has already gone (cancelled, deadline). */
  private static <T> void sendQuietly(StreamObserver<T> responses, T value, StatusRuntimeException error) {
    try {
      if (error != null) {
        responses.onError(error);
      } else {
        responses.onNext(value);
        responses.onCompleted();
      }
    } catch (StatusRuntimeException callerGone) {
      // Nobody is listening any more.
    }
  }
}
