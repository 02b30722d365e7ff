package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.CallPluginRequest;
import dev.pluginhost.proto.runner.v1.CallPluginResponse;
import dev.pluginhost.proto.runner.v1.CallServiceRequest;
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.LogRecord;
import dev.pluginhost.proto.runner.v1.LogRequest;
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
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
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
    assertEquals(List.of(), hub.store("p").keys(""));
  }

  @Test
  void call_withAWrongToken_isUnauthenticated() throws IOException {
    ManagedChannel channel = connect(open(Set.of("kv")));
    String otherSpawns = WireProtocol.tokenHeaderValue(newToken());
    String prefix = WireProtocol.tokenHeaderValue(token).substring(0, 10);
    String raw = new String(token, java.nio.charset.StandardCharsets.ISO_8859_1).replaceAll("[^ -~]", "x");

    for (String presented : List.of(otherSpawns, prefix, raw, "")) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> blocking(channel, presented).kvPut(put("k", "v")));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), "presented " + presented);
    }
    assertEquals(List.of(), hub.store("p").keys(""));
  }

  @Test
  void connection_fromAProcessThatIsNotTheSpawnedOne_isRefused() throws Exception {
    Process other = new ProcessBuilder("sleep", "60").start();
    cleanup.then(() -> other.destroyForcibly());
    ManagedChannel channel = connect(open(Set.of("kv"), other::pid, MAX_MESSAGE_BYTES));

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> blocking(channel).kvPut(put("k", "v")));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(List.of(), hub.store("p").keys(""), "a refused connection's request was served");
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
    assertEquals(List.of("k"), hub.store("p").keys(""));
  }

  /** A HoldLock call: {@code acquired} completes with the answer, {@code ended} with how the call ended. */
  private static final class Hold implements ClientResponseObserver<HoldLockRequest, HoldLockResponse> {
    final CompletableFuture<Boolean> acquired = new CompletableFuture<>();
    final CompletableFuture<Status> ended = new CompletableFuture<>();
    private volatile ClientCallStreamObserver<HoldLockRequest> call;

    @Override
    public void beforeStart(ClientCallStreamObserver<HoldLockRequest> requestStream) {
      call = requestStream;
    }

    @Override
    public void onNext(HoldLockResponse response) {
      acquired.complete(response.getAcquired());
    }

    @Override
    public void onError(Throwable t) {
      acquired.completeExceptionally(t);
      ended.complete(Status.fromThrowable(t));
    }

    @Override
    public void onCompleted() {
      ended.complete(Status.OK);
    }

    boolean acquired() throws Exception {
      return acquired.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    Status ended() throws Exception {
      return ended.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    void end() {
      call.cancel("released", null);
    }
  }

  private Hold hold(ManagedChannel channel, String name) {
    Hold hold = new Hold();
    async(channel).holdLock(HoldLockRequest.newBuilder().setName(name).build(), hold);
    return hold;
  }

  /** Holds {@code count} locks from the process on {@code socket} over {@code connections} connections. */
  private void holdLocks(Path socket, int count, int connections) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      channels.add(connect(socket));
    }
    List<Hold> holds = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      holds.add(hold(channels.get(i % connections), "lock-" + i));
    }
    for (Hold hold : holds) {
      assertTrue(hold.acquired());
    }
  }

  @Test
  void requestsInFlight_pastTheLimit_heldLocksIncluded_areResourceExhausted() throws Exception {
    Path socket = open(Set.of("locks", "kv"));
    // Over two connections: one connection alone stops at HTTP/2's own stream limit, which queues.
    holdLocks(socket, ProcessServices.MAX_REQUESTS_IN_FLIGHT, 2);

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> blocking(connect(socket)).kvGet(KvGetRequest.newBuilder().setKey("k").build()));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals(
        "plugin p has 256 host-service requests in flight (held locks included), its limit", e.getStatus().getDescription());
  }

  @Test
  void requestWithoutTheToken_isUnauthenticated_evenPastTheLimit_soTheTokenIsCheckedFirst() throws Exception {
    Path socket = open(Set.of("locks", "kv"));
    holdLocks(socket, ProcessServices.MAX_REQUESTS_IN_FLIGHT, 2);

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> blocking(connect(socket), null).kvGet(KvGetRequest.newBuilder().setKey("k").build()));

    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
  }

  @Test
  void callsToOtherPluginsOrServices_pastTheLargeLimit_areResourceExhausted_whileOtherRequestsAreServed() throws Exception {
    RecordingPluginHandle squares = new RecordingPluginHandle("squares");
    plugins.put("squares", squares);
    ManagedChannel channel = connect(open(Set.of("call:squares", "service:pricing", "kv")));
    for (int i = 0; i < ProcessServices.MAX_LARGE_IN_FLIGHT; i++) {
      HostServicesGrpc.HostServicesStub stub = async(channel);
      ProcessServicesTest.<CallPluginResponse>observe(observer ->
          stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));
    }
    for (int i = 0; i < ProcessServices.MAX_LARGE_IN_FLIGHT; i++) {
      squares.nextCall(TIMEOUT_SECONDS); // all of them are waiting on the other plugin
    }

    StatusRuntimeException call = assertThrows(
        StatusRuntimeException.class,
        () -> blocking(channel).callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build()));
    StatusRuntimeException service = assertThrows(
        StatusRuntimeException.class,
        () -> blocking(channel).callService(CallServiceRequest.newBuilder().setService("pricing").setMethod("m").build()));

    for (StatusRuntimeException e : List.of(call, service)) {
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
      assertEquals(
          "plugin p has 16 calls to other plugins or the application's services in flight, its limit",
          e.getStatus().getDescription());
    }
    assertEquals(0, squares.pendingCalls());
    blocking(channel).kvPut(put("k", "v"));
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
  void requests_largerThanTheirKindNeeds_areResourceExhausted_beforeTheyAreParsed() throws Exception {
    ManagedChannel channel = connect(open(Set.of("kv", "locks", "log")));
    String big = "k".repeat(RequestLimits.SMALL + 1);

    StatusRuntimeException get = assertThrows(
        StatusRuntimeException.class, () -> blocking(channel).kvGet(KvGetRequest.newBuilder().setKey(big).build()));
    StatusRuntimeException list = assertThrows(
        StatusRuntimeException.class, () -> blocking(channel).kvList(KvListRequest.newBuilder().setPrefix(big).build()));
    Status lock = hold(channel, big).ended();
    LogRequest.Builder log = LogRequest.newBuilder();
    for (int i = 0; i < 100; i++) {
      log.addRecords(LogRecord.newBuilder().setMessage("m".repeat(RequestLimits.LOG / 100)));
    }
    StatusRuntimeException logged = assertThrows(StatusRuntimeException.class, () -> blocking(channel).log(log.build()));
    StatusRuntimeException put = assertThrows(
        StatusRuntimeException.class,
        () -> blocking(channel).kvPut(KvPutRequest.newBuilder().setKey("k")
            .setValue(ByteString.copyFrom(new byte[2 * RequestLimits.VALUE])).build()));

    for (Status status : List.of(get.getStatus(), list.getStatus(), lock, logged.getStatus(), put.getStatus())) {
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, status.getCode(), String.valueOf(status));
    }
    assertEquals("a KvGet request is at most 4096 bytes; this one is 4100", get.getStatus().getDescription());
    assertEquals("a HoldLock request is at most 4096 bytes; this one is 4100", lock.getDescription());
    assertNull(hub.locks("p").holder(big));
    blocking(channel).kvGet(KvGetRequest.newBuilder().setKey("k").build()); // refusals ended their calls
  }

  @Test
  void requests_withinTheirKindsLimits_areServed() throws Exception {
    HostServicesGrpc.HostServicesBlockingStub stub = blocking(connect(open(Set.of("kv"))));
    String longestKey = "k".repeat(KeyValueStoreFile.MAX_KEY_BYTES);

    stub.kvPut(KvPutRequest.newBuilder().setKey(longestKey)
        .setValue(ByteString.copyFrom(new byte[KeyValueStoreFile.MAX_VALUE_BYTES]))
        .setConditional(true).build());
    stub.kvPut(KvPutRequest.newBuilder().setKey(longestKey)
        .setValue(ByteString.copyFrom(new byte[KeyValueStoreFile.MAX_VALUE_BYTES]))
        .setConditional(true).setExpected(ByteString.copyFrom(new byte[KeyValueStoreFile.MAX_VALUE_BYTES])).build());

    assertEquals(KeyValueStoreFile.MAX_VALUE_BYTES, stub.kvGet(KvGetRequest.newBuilder().setKey(longestKey).build()).getValue().size());
  }

  @Test
  void connections_pastFourAtOnce_areRefused() throws IOException {
    Path socket = open(Set.of("kv"));
    for (int i = 0; i < SpawnedClientGate.MAX_CONNECTIONS; i++) {
      blocking(connect(socket)).kvGet(KvGetRequest.newBuilder().setKey("k").build()); // each stays connected
    }

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> blocking(connect(socket)).kvPut(put("k", "v")));

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertEquals(List.of(), hub.store("p").keys(""), "a refused connection's request was served");
  }

  @Test
  void close_handsTheProcesssLocksToTheNextWaiter_inAnotherProcess_andRefusesItsRequests() throws Exception {
    Path first = dir.resolve("first.sock");
    ServiceCaller caller = new ServiceCaller("p", "1.0.0", Set.of("locks"), () -> OWN_PID, line -> {});
    ProcessServices dying = ProcessServices.open(hub, caller, first, token, eventLoops, MAX_MESSAGE_BYTES);
    cleanup.closeable(dying);
    ManagedChannel dyingChannel = connect(first);
    Hold held = hold(dyingChannel, "x");
    assertTrue(held.acquired());
    Hold waiting = hold(connect(open(Set.of("locks"))), "x");
    assertFalse(waiting.acquired.isDone());

    dying.close();

    assertTrue(waiting.acquired());
    Status.Code heldEnded = held.ended().getCode();
    assertTrue(heldEnded == Status.Code.UNAVAILABLE || heldEnded == Status.Code.CANCELLED, "ended with " + heldEnded);
    assertEquals(Status.Code.UNAVAILABLE, hold(dyingChannel, "y").ended().getCode());
    assertNull(hub.locks("p").holder("y"));
  }

  @Test
  void close_endsTheProcesssWaits_soTheyNeverTakeTheLock() throws Exception {
    Path first = dir.resolve("first.sock");
    ServiceCaller caller = new ServiceCaller("p", "1.0.0", Set.of("locks"), () -> OWN_PID, line -> {});
    ProcessServices dying = ProcessServices.open(hub, caller, first, token, eventLoops, MAX_MESSAGE_BYTES);
    cleanup.closeable(dying);
    LockTable.Lease holder = new LockTable.Lease(new Object(), "holder");
    hub.locks("p").acquire("x", holder, false);
    Hold waiting = hold(connect(first), "x");

    dying.close();

    Status.Code code = waiting.ended().getCode();
    assertTrue(code == Status.Code.UNAVAILABLE || code == Status.Code.CANCELLED, "ended with " + code);
    hub.locks("p").release("x", holder);
    assertNull(hub.locks("p").holder("x"), "the lock went to a process that had ended");
  }

  @Test
  void theProcessesConnectionGoingAway_releasesItsLocks_toTheNextWaiter() throws Exception {
    Path socket = open(Set.of("locks"));
    ManagedChannel dyingChannel = connect(socket);
    assertTrue(hold(dyingChannel, "x").acquired());
    Hold waiting = hold(connect(socket), "x");
    assertFalse(waiting.acquired.isDone());

    dyingChannel.shutdownNow(); // as the process's death closes its end of the socket

    assertTrue(waiting.acquired(), "the lock stayed with a connection that had gone");
  }
}
