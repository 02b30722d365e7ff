package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.GetStatsResponse;
import dev.pluginhost.proto.runner.v1.HandshakeRequest;
import dev.pluginhost.proto.runner.v1.HandshakeResponse;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TokenInterceptorTest {
  private static final byte[] TOKEN = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

  private final AtomicInteger statsServed = new AtomicInteger();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void setUp() throws IOException {
    String name = InProcessServerBuilder.generateName();
    PluginRunnerGrpc.PluginRunnerImplBase service = new PluginRunnerGrpc.PluginRunnerImplBase() {
      @Override
      public void handshake(HandshakeRequest request, StreamObserver<HandshakeResponse> responses) {
        responses.onNext(HandshakeResponse.newBuilder().setPluginId("p").build());
        responses.onCompleted();
      }

      @Override
      public void getStats(GetStatsRequest request, StreamObserver<GetStatsResponse> responses) {
        statsServed.incrementAndGet();
        responses.onNext(GetStatsResponse.getDefaultInstance());
        responses.onCompleted();
      }
    };
    server = InProcessServerBuilder.forName(name)
        .directExecutor()
        .addService(ServerInterceptors.intercept(service, new TokenInterceptor(TOKEN)))
        .build()
        .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    assertTrue(channel.awaitTermination(5, TimeUnit.SECONDS), "channel did not stop");
    assertTrue(server.awaitTermination(5, TimeUnit.SECONDS), "server did not stop");
  }

  @Test
  void call_withoutToken_failsUnauthenticated_andNeverReachesTheService() {
    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> stub(null).getStats(GetStatsRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals("this plugin runner serves only the host that started it", e.getStatus().getDescription());
    assertEquals(0, statsServed.get());
  }

  @Test
  void call_withWrongToken_failsUnauthenticated() {
    String wrong = WireProtocol.tokenHeaderValue("ffffffffffffffffffffffffffffffff".getBytes(StandardCharsets.US_ASCII));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> stub(wrong).getStats(GetStatsRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals(0, statsServed.get());
  }

  @Test
  void call_withPrefixOfToken_failsUnauthenticated() {
    String prefix = WireProtocol.tokenHeaderValue(TOKEN).substring(0, 10);

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> stub(prefix).getStats(GetStatsRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
  }

  @Test
  void call_withRawTokenInsteadOfHex_failsUnauthenticated() {
    String raw = new String(TOKEN, StandardCharsets.US_ASCII);

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> stub(raw).getStats(GetStatsRequest.getDefaultInstance()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
  }

  @Test
  void call_withToken_isServed() {
    stub(WireProtocol.tokenHeaderValue(TOKEN)).getStats(GetStatsRequest.getDefaultInstance());

    assertEquals(1, statsServed.get());
  }

  @Test
  void handshake_withoutToken_isServed() {
    HandshakeResponse response = stub(null).handshake(HandshakeRequest.getDefaultInstance());

    assertEquals("p", response.getPluginId());
  }

  private PluginRunnerGrpc.PluginRunnerBlockingStub stub(String tokenHeader) {
    PluginRunnerGrpc.PluginRunnerBlockingStub stub =
        PluginRunnerGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    if (tokenHeader == null) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(WireProtocol.TOKEN_HEADER, tokenHeader);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }
}
