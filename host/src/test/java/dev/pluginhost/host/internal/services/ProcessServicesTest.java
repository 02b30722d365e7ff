package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.AcquireLockRequest;
import dev.pluginhost.proto.runner.v1.AcquireLockResponse;
import dev.pluginhost.proto.runner.v1.CallPluginRequest;
import dev.pluginhost.proto.runner.v1.CallPluginResponse;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The services socket of one plugin process, over a real Unix socket: this test's JVM plays the
 * spawned process (its pid passes the peer-credentials gate), or a process that is not it.
 */
class ProcessServicesTest {
  private static final long TIMEOUT_SECONDS = Cleanup.TIMEOUT_SECONDS;
  private static final long OWN_PID = ProcessHandle.current().pid();
  private static final int MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;

  private final byte[] token = newToken();
  private final Map<String, PluginHandle> plugins = new HashMap<>();
  private EventLoopGroup eventLoops;
  private HostServiceHub hub;
  private int sockets;

  private static byte[] newToken() {
    byte[] token = new byte[32];
    new SecureRandom().nextBytes(token);
    return token;
  }

  @BeforeEach
  void setUp() {
    eventLoops = cleanup.eventLoops(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()));
    hub = cleanup.closeable(new HostServiceHub(null));
    hub.connect(Map.of(), id -> Optional.ofNullable(plugins.get(id)));
  }

  /** Serves a process of plugin "p" with {@code grants} on a new socket; returns the socket. */
  private Path open(Set<String> grants, LongSupplier spawnedPid, int maxMessageBytes) throws IOException {
    Path socket = dir.resolve("h" + sockets++ + ".sock");
    ServiceCaller caller = new ServiceCaller("p", "1.0.0", grants, spawnedPid, line -> {});
    cleanup.closeable(ProcessServices.open(hub, caller, socket, token, eventLoops, maxMessageBytes));
    return socket;
  }

  private Path open(Set<String> grants) throws IOException {
    return open(grants, () -> OWN_PID, MAX_MESSAGE_BYTES);
  }

  private ManagedChannel connect(Path socket) {
    return cleanup.channel(
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoops)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build());
  }

  /** A stub presenting {@code presented} as the token header, or none if null. */
  private static HostServicesGrpc.HostServicesBlockingStub blocking(ManagedChannel channel, String presented) {
    HostServicesGrpc.HostServicesBlockingStub stub =
        HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return presented == null ? stub : stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(presented)));
  }

  private HostServicesGrpc.HostServicesBlockingStub blocking(ManagedChannel channel) {
    return blocking(channel, WireProtocol.tokenHeaderValue(token));
  }

  private HostServicesGrpc.HostServicesStub async(ManagedChannel channel) {
    return HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers(WireProtocol.tokenHeaderValue(token))));
  }

  private static Metadata headers(String presented) {
    Metadata headers = new Metadata();
    headers.put(WireProtocol.TOKEN_HEADER, presented);
    return headers;
  }

  private static KvPutRequest put(String key, String value) {
    return KvPutRequest.newBuilder().setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static <T> CompletableFuture<T> observe(java.util.function.Consumer<StreamObserver<T>> call) {
    CompletableFuture<T> result = new CompletableFuture<>();
    call.accept(new StreamObserver<T>() {
      @Override
      public void onNext(T value) {
        result.complete(value);
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {}
    });
    return result;
  }

  private static Status.Code failureCode(CompletableFuture<?> call) throws Exception {
    ExecutionException e = assertThrows(ExecutionException.class, () -> call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    return Status.fromThrowable(e.getCause()).getCode();
  }

  @Test
  void spawnedProcess_withTheSpawnsToken_isServed() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = blocking(connect(open(Set.of("kv"))));

    stub.kvPut(put("k", "v"));

    assertEquals(ByteString.copyFromUtf8("v"), stub.kvGet(KvGetRequest.newBuilder().setKey("k").build()).getValue());
  }

  @Test
  void call_withoutToken_isUnauthenticated_andDoesNothing() throws IOException {
    ManagedChannel channel = connect(open(Set.of("kv")));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking(channel, null).kvPut(put("k", "v")));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertEquals(java.util.List.of(), hub.store("p").keys(""));
  }

  @Test
  void call_withAWrongToken_isUnauthenticated() throws IOException {
    ManagedChannel channel = connect(open(Set.of("kv")));
    String otherSpawns = WireProtocol.tokenHeaderValue(newToken());
    String prefix = WireProtocol.tokenHeaderValue(token).substring(0, 10);
    String raw = new String(token, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "x");

    for (String presented : java.util.List.of(otherSpawns, prefix, raw, "")) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> blocking(channel, presented).kvPut(put("k", "v")));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "presented " + presented);
    }
    assertEquals(java.util.List.of(), hub.store("p").keys(""));
  }

  @Test
  void connection_fromAProcessThatIsNotTheSpawnedOne_isRefused() throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    cleanup.then(() -> other.destroyForcibly());
    ManagedChannel channel = connect(open(Set.of("kv"), other::pid, MAX_MESSAGE_BYTES));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking(channel).kvPut(put("k", "v")));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(java.util.List.of(), hub.store("p").keys(""), "a refused connection's request was served");
  }

  @Test
  void connection_beforeTheProcessIsSpawned_isRefused_andTheSpawnedPidIsReadAtEachConnection() throws IOException {
    AtomicLong spawned = new AtomicLong(0); // bound before the spawn, as the host does
    Path socket = open(Set.of("kv"), spawned::get, MAX_MESSAGE_BYTES);

    StatusRuntimeException early =
        assertThrows(StatusRuntimeException.class, () -> blocking(connect(socket)).kvPut(put("k", "v")));
    assertEquals(Status.Code.UNAVAILABLE, early.getStatus().getCode());

    spawned.set(OWN_PID);
    blocking(connect(socket)).kvPut(put("k", "v"));
    assertEquals(java.util.List.of("k"), hub.store("p").keys(""));
  }

  @Test
  void requestsInFlight_pastTheLimit_areResourceExhausted() throws Exception {
    RecordingPluginHandle squares = new RecordingPluginHandle("squares");
    plugins.put("squares", squares);
    ManagedChannel channel = connect(open(Set.of("call:squares", "kv")));
    for (int i = 0; i < ProcessServices.MAX_REQUESTS_IN_FLIGHT; i++) {
      HostServicesGrpc.HostServicesStub stub = async(channel);
      ProcessServicesTest.<CallPluginResponse>observe(observer ->
          stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));
    }
    for (int i = 0; i < ProcessServices.MAX_REQUESTS_IN_FLIGHT; i++) {
      squares.nextCall(TIMEOUT_SECONDS); // all of them are waiting on the other plugin
    }

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> blocking(channel).kvGet(KvGetRequest.newBuilder().setKey("k").build()));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("256"), e.getStatus().getDescription());
    assertEquals(0, squares.pendingCalls());
  }

  @Test
  void request_largerThanTheMessageLimit_isRefused() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = blocking(connect(open(Set.of("kv"), () -> OWN_PID, 1024)));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.kvPut(put("k", "v".repeat(2048))));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertNull(hub.store("p").get("k"));
  }

  @Test
  void close_handsTheProcesssLocksToTheNextWaiter_inAnotherProcess() throws Exception {
    Path first = dir.resolve("first.sock");
    ServiceCaller caller = new ServiceCaller("p", "1.0.0", Set.of("locks"), () -> OWN_PID, line -> {});
    ProcessServices dying = ProcessServices.open(hub, caller, first, token, eventLoops, MAX_MESSAGE_BYTES);
    cleanup.closeable(dying);
    ManagedChannel dyingChannel = connect(first);
    ManagedChannel survivorChannel = connect(open(Set.of("locks")));
    assertTrue(blocking(dyingChannel).acquireLock(AcquireLockRequest.newBuilder().setName("x").setLease("a").build()).getAcquired());
    HostServicesGrpc.HostServicesStub survivor = async(survivorChannel);
    CompletableFuture<AcquireLockResponse> waiting = observe(observer ->
        survivor.acquireLock(AcquireLockRequest.newBuilder().setName("x").setLease("b").build(), observer));
    assertFalse(waiting.isDone());

    dying.close();

    assertTrue(waiting.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getAcquired());
    StatusRuntimeException gone = assertThrows(
        StatusRuntimeException.class, () -> blocking(dyingChannel).acquireLock(AcquireLockRequest.newBuilder().setName("y").setLease("c").build()));
    assertEquals(Status.Code.UNAVAILABLE, gone.getStatus().getCode());
  }

  @Test
  void close_endsTheProcesssWaits_soTheyNeverTakeTheLock() throws Exception {
    Path first = dir.resolve("first.sock");
    ServiceCaller caller = new ServiceCaller("p", "1.0.0", Set.of("locks"), () -> OWN_PID, line -> {});
    ProcessServices dying = ProcessServices.open(hub, caller, first, token, eventLoops, MAX_MESSAGE_BYTES);
    cleanup.closeable(dying);
    HostServicesGrpc.HostServicesBlockingStub holder = blocking(connect(open(Set.of("locks"))));
    holder.acquireLock(AcquireLockRequest.newBuilder().setName("x").setLease("holder").build());
    HostServicesGrpc.HostServicesStub dyingStub = async(connect(first));
    CompletableFuture<AcquireLockResponse> waiting = observe(observer ->
        dyingStub.acquireLock(AcquireLockRequest.newBuilder().setName("x").setLease("waiter").build(), observer));

    dying.close();

    Status.Code code = failureCode(waiting);
    assertTrue(code == Status.Code.UNAVAILABLE || code == Status.Code.CANCELLED, "ended with " + code);
    holder.releaseLock(dev.pluginhost.proto.runner.v1.ReleaseLockRequest.newBuilder().setName("x").setLease("holder").build());
    assertNull(hub.locks("p").holder("x"), "the lock went to a process that had ended");
  }
}
