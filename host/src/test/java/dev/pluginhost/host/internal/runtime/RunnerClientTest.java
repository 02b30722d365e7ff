package dev.pluginhost.host.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.GetStatsResponse;
import dev.pluginhost.proto.runner.v1.HandshakeRequest;
import dev.pluginhost.proto.runner.v1.HandshakeResponse;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RunnerClientTest {
  private static final long TIMEOUT_SECONDS = 5;

  private final byte[] token = RunnerClient.newToken();
  private final FakeRunner runner = new FakeRunner();
  private final Map<String, Metadata> headersByMethod = new ConcurrentHashMap<>();
  private Server server;
  private ManagedChannel channel;
  private RunnerClient client;

  @BeforeEach
  void setUp() throws IOException {
    String name = InProcessServerBuilder.generateName();
    ServerInterceptor recordHeaders = new ServerInterceptor() {
      @Override
      public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
          ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
        headersByMethod.put(call.getMethodDescriptor().getBareMethodName(), headers);
        return next.startCall(call, headers);
      }
    };
    server = InProcessServerBuilder.forName(name)
        .directExecutor()
        .addService(ServerInterceptors.intercept(runner, recordHeaders))
        .build()
        .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    client = RunnerClient.forChannel(channel, token);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    client.close();
    server.shutdownNow();
    assertTrue(channel.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS), "channel did not stop");
    assertTrue(server.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS), "server did not stop");
  }

  @Test
  void handshake_runnerProvesToken_succeeds() throws Exception {
    HandshakeResponse response = handshake().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(WireProtocol.VERSION, response.getProtocolVersion());
    assertEquals("fake", response.getPluginId());
  }

  @Test
  void handshake_sendsAFreshChallenge_notTheToken() throws Exception {
    handshake().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    handshake().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(2, runner.challenges.size());
    byte[] first = runner.challenges.get(0).toByteArray();
    byte[] second = runner.challenges.get(1).toByteArray();
    assertEquals(32, first.length);
    assertFalse(Arrays.equals(first, second), "challenge reused");
    assertFalse(Arrays.equals(first, token), "challenge is the token");
  }

  @Test
  void handshake_runnerWithWrongToken_failsSayingItCouldNotProveTheToken() {
    runner.proofToken = RunnerClient.newToken();

    Throwable cause = failure(handshake());

    RunnerClient.HandshakeException e = assertInstanceOf(RunnerClient.HandshakeException.class, cause);
    assertTrue(e.getMessage().contains("could not prove it holds the spawn's token"), e.getMessage());
  }

  @Test
  void handshake_runnerWithEmptyProof_fails() {
    runner.sendEmptyProof = true;

    assertInstanceOf(RunnerClient.HandshakeException.class, failure(handshake()));
  }

  @Test
  void handshake_runnerSpeakingAnotherVersion_failsNamingBothVersions() {
    runner.protocolVersion = 2;

    Throwable cause = failure(client.handshake(1, deadline()));

    RunnerClient.HandshakeException e = assertInstanceOf(RunnerClient.HandshakeException.class, cause);
    assertEquals(WireProtocol.versionMismatch(1, 2), e.getMessage());
    assertTrue(e.getMessage().contains("v1") && e.getMessage().contains("v2"), e.getMessage());
  }

  @Test
  void handshake_runnerRefuses_failsWithItsStatus() {
    runner.refuseWith = Status.FAILED_PRECONDITION.withDescription("no");

    Throwable cause = failure(handshake());

    StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, cause);
    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
  }

  @Test
  void handshake_doesNotSendTheToken() throws Exception {
    handshake().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertNull(headersByMethod.get("Handshake").get(WireProtocol.TOKEN_HEADER));
  }

  @Test
  void futureStub_sendsTheTokenHeader() throws Exception {
    client.futureStub().getStats(GetStatsRequest.getDefaultInstance()).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(
        WireProtocol.tokenHeaderValue(token), headersByMethod.get("GetStats").get(WireProtocol.TOKEN_HEADER));
  }

  @Test
  void asyncStub_sendsTheTokenHeader() throws Exception {
    CompletableFuture<GetStatsResponse> done = new CompletableFuture<>();
    client.asyncStub().getStats(GetStatsRequest.getDefaultInstance(), new StreamObserver<>() {
      @Override
      public void onNext(GetStatsResponse value) {}

      @Override
      public void onError(Throwable t) {
        done.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        done.complete(null);
      }
    });
    done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertEquals(
        WireProtocol.tokenHeaderValue(token), headersByMethod.get("GetStats").get(WireProtocol.TOKEN_HEADER));
  }

  @Test
  void close_failsCallsStartedAfterIt() {
    client.close();

    Throwable cause = failure(client.futureStub().getStats(GetStatsRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNAVAILABLE, assertInstanceOf(StatusRuntimeException.class, cause).getStatus().getCode());
  }

  private ListenableFuture<HandshakeResponse> handshake() {
    return client.handshake(WireProtocol.VERSION, deadline());
  }

  private static Deadline deadline() {
    return Deadline.after(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    return e.getCause();
  }

  /** Answers the handshake as told; everything else as an idle runner would. */
  private final class FakeRunner extends PluginRunnerGrpc.PluginRunnerImplBase {
    final List<ByteString> challenges = Collections.synchronizedList(new ArrayList<>());
    volatile byte[] proofToken = token;
    volatile int protocolVersion = WireProtocol.VERSION;
    volatile boolean sendEmptyProof;
    volatile Status refuseWith;

    @Override
    public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> responses) {
      challenges.add(request.getChallenge());
      if (refuseWith != null) {
        responses.onError(refuseWith.asRuntimeException());
        return;
      }
      ByteString proof = sendEmptyProof
          ? ByteString.EMPTY
          : ByteString.copyFrom(WireProtocol.proof(proofToken, request.getChallenge().toByteArray()));
      responses.onNext(HandshakeResponse.newBuilder()
          .setProtocolVersion(protocolVersion)
          .setProof(proof)
          .setPluginId("fake")
          .build());
      responses.onCompleted();
    }

    @Override
    public void getStats(GetStatsRequest request, StreamObserver<GetStatsResponse> responses) {
      responses.onNext(GetStatsResponse.getDefaultInstance());
      responses.onCompleted();
    }
  }
}
