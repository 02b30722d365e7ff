package dev.pluginhost.runner.internal.services;

import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvListResponse;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.KvPutResponse;
import dev.pluginhost.proto.runner.v1.LogRequest;
import dev.pluginhost.proto.runner.v1.LogResponse;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * The host's side of the services socket as a runner test wants it: records every request (and
 * the token it came with) in a queue the test reads with a deadline, and answers as the test
 * says; by default as a host that grants everything would.
 */
final class FakeHost extends HostServicesGrpc.HostServicesImplBase {
  /** One request received, with the observer to answer it by hand. */
  record Received<Q, R>(Q request, StreamObserver<R> responses) {}

  final BlockingQueue<String> tokens = new LinkedBlockingQueue<>();
  /** Every HoldLock call, as it arrives. */
  final BlockingQueue<Received<HoldLockRequest, HoldLockResponse>> holds = new LinkedBlockingQueue<>();
  /** Every HoldLock call the runner ended (a cancel, or its connection going away), as it ends. */
  final BlockingQueue<Received<HoldLockRequest, HoldLockResponse>> holdsEnded = new LinkedBlockingQueue<>();
  final BlockingQueue<KvPutRequest> puts = new LinkedBlockingQueue<>();
  final BlockingQueue<Received<LogRequest, LogResponse>> logs = new LinkedBlockingQueue<>();

  /** By default the lock is free: held at once, and the call left open, as the host holds it. */
  volatile BiConsumer<HoldLockRequest, StreamObserver<HoldLockResponse>> onHold =
      (request, responses) -> responses.onNext(HoldLockResponse.newBuilder().setAcquired(true).build());
  volatile BiConsumer<KvGetRequest, StreamObserver<KvGetResponse>> onGet =
      (request, responses) -> answer(responses, KvGetResponse.getDefaultInstance());
  volatile BiConsumer<KvPutRequest, StreamObserver<KvPutResponse>> onPut =
      (request, responses) -> answer(responses, KvPutResponse.newBuilder().setApplied(true).build());
  volatile BiConsumer<KvListRequest, StreamObserver<KvListResponse>> onList =
      (request, responses) -> answer(responses, KvListResponse.getDefaultInstance());
  volatile BiConsumer<LogRequest, StreamObserver<LogResponse>> onLog =
      (request, responses) -> answer(responses, LogResponse.getDefaultInstance());

  static <R> void answer(StreamObserver<R> responses, R response) {
    responses.onNext(response);
    responses.onCompleted();
  }

  /** The next item of {@code queue}, waiting up to {@code seconds}. */
  static <T> T next(BlockingQueue<T> queue, long seconds) throws InterruptedException {
    T item = queue.poll(seconds, TimeUnit.SECONDS);
    if (item == null) {
      throw new AssertionError("the host received nothing within " + seconds + " s");
    }
    return item;
  }

  /** This service, recording the token header of every call. */
  ServerServiceDefinition withTokenRecorded() {
    return ServerInterceptors.intercept(this, new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String token = headers.get(WireProtocol.TOKEN_HEADER);
        tokens.add(token == null ? "" : token);
        return next.startCall(call, headers);
      }
    });
  }

  @Override
  public void holdLock(HoldLockRequest request, StreamObserver<HoldLockResponse> responses) {
    Received<HoldLockRequest, HoldLockResponse> received = new Received<>(request, responses);
    ((ServerCallStreamObserver<HoldLockResponse>) responses).setOnCancelHandler(() -> holdsEnded.add(received));
    holds.add(received);
    onHold.accept(request, responses);
  }

  @Override
  public void kvGet(KvGetRequest request, StreamObserver<KvGetResponse> responses) {
    onGet.accept(request, responses);
  }

  @Override
  public void kvPut(KvPutRequest request, StreamObserver<KvPutResponse> responses) {
    puts.add(request);
    onPut.accept(request, responses);
  }

  @Override
  public void kvList(KvListRequest request, StreamObserver<KvListResponse> responses) {
    onList.accept(request, responses);
  }

  @Override
  public void log(LogRequest request, StreamObserver<LogResponse> responses) {
    logs.add(new Received<>(request, responses));
    onLog.accept(request, responses);
  }
}
