package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginService;
import dev.pluginhost.host.PluginServiceException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ServiceRequest;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.CallPluginRequest;
import dev.pluginhost.proto.runner.v1.CallPluginResponse;
import dev.pluginhost.proto.runner.v1.CallServiceRequest;
import dev.pluginhost.proto.runner.v1.CallServiceResponse;
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.LogRecord;
import dev.pluginhost.proto.runner.v1.LogRequest;
import dev.pluginhost.proto.runner.v1.MapPluginRequest;
import dev.pluginhost.proto.runner.v1.MapPluginResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The host services of one process, served in-process: grants are enforced by the host whatever
 * the runner checks, each service does its job for this caller only, and waits and relayed calls
 * end with their caller.
 */
class HostServicesEndpointTest {
  private static final long TIMEOUT_SECONDS = Cleanup.TIMEOUT_SECONDS;
  private static final long PID = 4242;
  private static final Set<String> ALL_GRANTS = Set.of("log", "kv", "locks", "call:*", "service:pricing");

  @RegisterExtension final Cleanup cleanup = new Cleanup();

  private final List<OutputLine> output = new CopyOnWriteArrayList<>();
  private final Map<String, PluginService> services = new HashMap<>();
  private final Map<String, PluginHandle> plugins = new HashMap<>();
  private final RecordingPluginHandle squares = new RecordingPluginHandle("squares");
  private HostServiceHub hub;

  @BeforeEach
  void setUp() {
    hub = cleanup.closeable(new HostServiceHub(null));
    plugins.put("squares", squares);
    services.put("pricing", request -> ("price of " + request.text()).getBytes(StandardCharsets.UTF_8));
  }

  /** A process of plugin "p" with {@code grants}, served in-process on direct executors. */
  private HostServicesGrpc.HostServicesBlockingStub serve(Set<String> grants) throws IOException {
    return HostServicesGrpc.newBlockingStub(channelTo("p", grants, new Object(), null))
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  /**
   * A channel to a process of {@code pluginId} standing for {@code owner} in the lock table.
   *
   * @param executor runs the server's requests; null: the calling thread
   */
  private ManagedChannel channelTo(String pluginId, Set<String> grants, Object owner, Executor executor)
      throws IOException {
    hub.connect(services, id -> Optional.ofNullable(plugins.get(id)));
    ServiceCaller caller = new ServiceCaller(pluginId, "1.0.0", grants, () -> PID, output::add);
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder server = InProcessServerBuilder.forName(name);
    if (executor == null) {
      server.directExecutor();
    } else {
      server.executor(executor);
    }
    cleanup.server(server.addService(new HostServicesEndpoint(hub, caller, owner)).build().start());
    return cleanup.channel(InProcessChannelBuilder.forName(name).directExecutor().build());
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static Status.Code codeOf(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  // ---- Grants: the host's own check, for every rpc ----

  static Stream<Arguments> everyRpc() {
    List<Arguments> rpcs = new ArrayList<>();
    rpcs.add(rpc("Log", "log", stub -> stub.log(LogRequest.newBuilder().addRecords(LogRecord.newBuilder().setMessage("m")).build())));
    rpcs.add(rpc("KvGet", "kv", stub -> stub.kvGet(KvGetRequest.newBuilder().setKey("k").build())));
    rpcs.add(rpc("KvPut", "kv", stub -> stub.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(utf8("v")).build())));
    rpcs.add(rpc("KvList", "kv", stub -> stub.kvList(KvListRequest.getDefaultInstance())));
    // A held lock's call stays open (the test's clean-up ends it); its first answer is enough.
    rpcs.add(rpc("HoldLock", "locks", stub -> stub.holdLock(HoldLockRequest.newBuilder().setName("x").build()).hasNext()));
    rpcs.add(rpc("CallPlugin", "call:squares", stub -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build())));
    rpcs.add(rpc("MapPlugin", "call:squares", stub -> stub.mapPlugin(MapPluginRequest.newBuilder().setPluginId("squares").setFunction("f").addInputs(utf8("1")).build())));
    rpcs.add(rpc("CallService", "service:pricing", stub -> stub.callService(CallServiceRequest.newBuilder().setService("pricing").setMethod("quote").build())));
    return rpcs.stream();
  }

  private static Arguments rpc(String name, String grant, Function<HostServicesGrpc.HostServicesBlockingStub, Object> call) {
    return Arguments.of(name, grant, call);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRpc")
  void rpc_withoutItsGrant_isPermissionDenied_namingTheGrantInDescriptionAndTrailer(
      String rpc, String grant, Function<HostServicesGrpc.HostServicesBlockingStub, Object> call) throws IOException {
    Set<String> everyOtherGrant = new java.util.HashSet<>(Set.of("log", "kv", "locks", "call:other", "service:other", "network"));
    everyOtherGrant.remove(grant);
    HostServicesGrpc.HostServicesBlockingStub stub = serve(everyOtherGrant);

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call.apply(stub));

    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals(
        "plugin p was not granted \"" + grant + "\" (add it to the plugin's grants in its settings)",
        e.getStatus().getDescription());
    assertEquals(grant, e.getTrailers().get(WireProtocol.MISSING_GRANT_TRAILER));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRpc")
  void rpc_withoutItsGrant_doesNothing(
      String rpc, String grant, Function<HostServicesGrpc.HostServicesBlockingStub, Object> call) throws IOException {
    List<ServiceRequest> served = new CopyOnWriteArrayList<>();
    services.put("pricing", request -> {
      served.add(request);
      return new byte[0];
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of());

    assertThrows(StatusRuntimeException.class, () -> call.apply(stub));

    assertEquals(List.of(), output, "a log record got through");
    assertEquals(List.of(), hub.store("p").keys(""), "a key got written");
    assertNull(hub.locks("p").holder("x"), "a lock got taken");
    assertEquals(0, squares.pendingCalls(), "the other plugin got called");
    assertEquals(List.of(), served, "the application's service got called");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("everyRpc")
  void rpc_withItsGrant_isNotDenied(
      String rpc, String grant, Function<HostServicesGrpc.HostServicesBlockingStub, Object> call) throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of(grant));
    // Relayed calls answer when the other plugin does; answer whatever it is asked.
    Thread answering = new Thread(() -> {
      try {
        RecordingPluginHandle.Call received = squares.nextCall(TIMEOUT_SECONDS);
        if (received.inputs().size() == 1 && rpc.equals("CallPlugin")) {
          received.callReply().set(new byte[0]);
        } else {
          received.mapReply().set(List.of(CallOutcome.success(new byte[0])));
        }
      } catch (InterruptedException | AssertionError e) {
        // Not a relayed rpc.
      }
    });
    if (grant.startsWith("call:")) {
      answering.start();
    }

    call.apply(stub);
  }

  @Test
  void callStarGrant_coversCallsToAnyPlugin() throws Exception {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("call:*"));

    CompletableFuture<CallPluginResponse> response = CompletableFuture.supplyAsync(
        () -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build()));
    squares.nextCall(TIMEOUT_SECONDS).callReply().set(new byte[] {1});

    assertArrayEquals(new byte[] {1}, response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getOutput().toByteArray());
  }

  @Test
  void callGrantForAnotherPlugin_doesNotCoverThisOne() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("call:cubes", "call:square"));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build()));

    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals("call:squares", e.getTrailers().get(WireProtocol.MISSING_GRANT_TRAILER));
  }

  @Test
  void serviceGrant_coversOnlyTheServiceItNames() throws IOException {
    services.put("billing", request -> new byte[0]);
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing", "call:*"));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> stub.callService(CallServiceRequest.newBuilder().setService("billing").setMethod("m").build()));

    assertEquals(Status.Code.PERMISSION_DENIED, e.getStatus().getCode());
    assertEquals("service:billing", e.getTrailers().get(WireProtocol.MISSING_GRANT_TRAILER));
  }

  @Test
  void callToAnUnknownPlugin_withoutTheGrant_isDeniedBeforeItIsLookedUp() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));

    assertEquals(
        Status.Code.PERMISSION_DENIED,
        codeOf(() -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("nobody").setFunction("f").build())));
    assertEquals(
        Status.Code.PERMISSION_DENIED,
        codeOf(() -> stub.callService(CallServiceRequest.newBuilder().setService("nothing").setMethod("m").build())));
  }

  // ---- Log ----

  @Test
  void log_writesTheRecordsToThePluginsOutput_asTheCallingProcess() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("log"));

    stub.log(LogRequest.newBuilder()
        .addRecords(LogRecord.newBuilder().setLevel(LogRecord.Level.WARN).setMessage("low disk").putFields("free", "2%"))
        .build());

    assertEquals(1, output.size(), "lines: " + output);
    assertEquals("WARN low disk free=2%", output.get(0).text());
    assertEquals(PID, output.get(0).pid());
    assertEquals(OutputLine.Stream.LOG, output.get(0).stream());
  }

  @Test
  void log_passesOnTheRunnersDropCount() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("log"));

    stub.log(LogRequest.newBuilder().setDropped(12).build());

    assertEquals(1, output.size(), "lines: " + output);
    assertEquals(12, output.get(0).dropped());
  }

  // ---- Key-value store ----

  @Test
  void kv_putGetListAndDelete_actOnThePluginsStore() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));

    assertTrue(stub.kvPut(KvPutRequest.newBuilder().setKey("a/1").setValue(utf8("one")).build()).getApplied());
    stub.kvPut(KvPutRequest.newBuilder().setKey("a/2").setValue(utf8("two")).build());
    stub.kvPut(KvPutRequest.newBuilder().setKey("b").setValue(utf8("three")).build());

    KvGetResponse found = stub.kvGet(KvGetRequest.newBuilder().setKey("a/1").build());
    assertTrue(found.getFound());
    assertEquals(utf8("one"), found.getValue());
    assertFalse(stub.kvGet(KvGetRequest.newBuilder().setKey("c").build()).getFound());
    assertEquals(List.of("a/1", "a/2"), stub.kvList(KvListRequest.newBuilder().setPrefix("a/").build()).getKeysList());

    assertTrue(stub.kvPut(KvPutRequest.newBuilder().setKey("a/1").build()).getApplied(), "no value: a delete");
    assertFalse(stub.kvPut(KvPutRequest.newBuilder().setKey("a/1").build()).getApplied());
    assertEquals(List.of("a/2", "b"), hub.store("p").keys(""));
  }

  @Test
  void kv_emptyValue_isAValue_notADelete() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));

    stub.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(ByteString.EMPTY).build());

    KvGetResponse response = stub.kvGet(KvGetRequest.newBuilder().setKey("k").build());
    assertTrue(response.getFound());
    assertEquals(ByteString.EMPTY, response.getValue());
  }

  @Test
  void kv_conditionalPut_comparesWithExpected_absentMeaningAbsent() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));
    KvPutRequest ifAbsent = KvPutRequest.newBuilder().setKey("k").setValue(utf8("1")).setConditional(true).build();

    assertTrue(stub.kvPut(ifAbsent).getApplied());
    assertFalse(stub.kvPut(ifAbsent).getApplied());
    assertFalse(stub.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(utf8("2")).setConditional(true)
        .setExpected(ByteString.EMPTY).build()).getApplied(), "an empty expected value matched \"1\"");
    assertTrue(stub.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(utf8("2")).setConditional(true)
        .setExpected(utf8("1")).build()).getApplied());
    assertTrue(stub.kvPut(KvPutRequest.newBuilder().setKey("k").setConditional(true).setExpected(utf8("2")).build())
        .getApplied(), "a conditional delete");

    assertNull(hub.store("p").get("k"));
  }

  @Test
  void kv_badKey_isInvalidArgument_andATooLargeValueOrAFullStoreIsResourceExhausted() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));

    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.kvGet(KvGetRequest.newBuilder().setKey("").build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> stub.kvPut(KvPutRequest.newBuilder().setKey("k".repeat(257)).setValue(utf8("v")).build())));
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        codeOf(() -> stub.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(ByteString.copyFrom(new byte[64 * 1024 + 1])).build())));
    for (int i = 0; i < 15; i++) {
      stub.kvPut(KvPutRequest.newBuilder().setKey("k" + i).setValue(ByteString.copyFrom(new byte[64 * 1024])).build());
    }
    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        codeOf(() -> stub.kvPut(KvPutRequest.newBuilder().setKey("last").setValue(ByteString.copyFrom(new byte[64 * 1024])).build())));
  }

  @Test
  void kv_storeIsThePlugins_sharedByItsProcesses_andNotByOtherPlugins() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub first = serve(Set.of("kv"));
    HostServicesGrpc.HostServicesBlockingStub second = serve(Set.of("kv"));
    HostServicesGrpc.HostServicesBlockingStub other =
        HostServicesGrpc.newBlockingStub(channelTo("other", Set.of("kv"), new Object(), null))
            .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    first.kvPut(KvPutRequest.newBuilder().setKey("k").setValue(utf8("v")).build());

    assertTrue(second.kvGet(KvGetRequest.newBuilder().setKey("k").build()).getFound());
    assertFalse(other.kvGet(KvGetRequest.newBuilder().setKey("k").build()).getFound());
  }

  // ---- Locks ----

  /** An answer that arrives later: its response or error completes the future. */
  private static <T> CompletableFuture<T> async(java.util.function.Consumer<StreamObserver<T>> call) {
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

  private static Status statusOf(CompletableFuture<?> failed) {
    assertTrue(failed.isCompletedExceptionally(), "not failed: " + failed);
    Throwable cause = assertThrows(java.util.concurrent.ExecutionException.class, () -> failed.get(0, TimeUnit.SECONDS)).getCause();
    return Status.fromThrowable(cause);
  }

  /**
   * One HoldLock call as the runner makes it: {@code acquired} completes with the host's answer,
   * {@code ended} with the status the call ended with (OK when the host completed it), and {@link
   * #end} cancels it, as the runner releases a lock.
   */
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

  private static Hold hold(HostServicesGrpc.HostServicesStub stub, String name, boolean tryOnly) {
    Hold hold = new Hold();
    stub.holdLock(HoldLockRequest.newBuilder().setName(name).setTryOnly(tryOnly).build(), hold);
    return hold;
  }

  private static Hold hold(ManagedChannel channel, String name) {
    return hold(HostServicesGrpc.newStub(channel), name, false);
  }

  /** A lease of no process served here, taking {@code name} straight from the table. */
  private ListenableFuture<Boolean> takeDirectly(String name, LockTable.Lease lease) {
    return hub.locks("p").acquire(name, lease, false);
  }

  /**
   * Keeps every thread of the hub's request pool busy until the returned action (or the test's
   * clean-up) lets them go: a granted lock's answer, sent from that pool, waits meanwhile.
   */
  private Runnable holdTheHubsRequestThreads() throws InterruptedException {
    CountDownLatch busy = new CountDownLatch(HostServiceHub.REQUEST_THREADS);
    CountDownLatch letGo = new CountDownLatch(1);
    for (int i = 0; i < HostServiceHub.REQUEST_THREADS; i++) {
      hub.requests().execute(() -> {
        busy.countDown();
        try {
          letGo.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
    }
    assertTrue(busy.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the hub's request threads did not all start");
    cleanup.then(letGo::countDown);
    return letGo::countDown;
  }

  @Test
  void holdLock_whenFree_answersAcquired_andHoldsItForTheCallersProcess_untilTheCallEnds() throws Exception {
    Object process = new Object();
    Hold held = hold(channelTo("p", Set.of("locks"), process, null), "x");

    assertTrue(held.acquired());
    LockTable.Lease holder = hub.locks("p").holder("x");
    assertSame(process, holder.owner());
    java.util.UUID.fromString(holder.id()); // the host's lease, not one the caller chose
    assertFalse(held.ended.isDone(), "the call ended while the lock is held");
    ListenableFuture<Boolean> next = takeDirectly("x", new LockTable.Lease(new Object(), "next"));
    assertFalse(next.isDone());

    held.end();

    assertTrue(next.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the lock was not released when its call ended");
  }

  @Test
  void holdLock_whileHeld_waitsUntilTheHoldersCallEnds() throws Exception {
    Object second = new Object();
    Hold first = hold(channelTo("p", Set.of("locks"), new Object(), null), "x");
    assertTrue(first.acquired());
    Hold waiting = hold(channelTo("p", Set.of("locks"), second, null), "x");
    assertFalse(waiting.acquired.isDone(), "granted while held");

    first.end();

    assertTrue(waiting.acquired());
    assertSame(second, hub.locks("p").holder("x").owner());
    assertFalse(waiting.ended.isDone());
  }

  @Test
  void holdLock_endedWhileWaiting_withdrawsTheWait_soTheLockGoesToTheNextInLine() throws Exception {
    holdTheHubsRequestThreads(); // a wait granted instead of withdrawn would keep the lock meanwhile
    LockTable.Lease holder = new LockTable.Lease(new Object(), "holder");
    LockTable.Lease behind = new LockTable.Lease(new Object(), "behind");
    takeDirectly("x", holder);
    Hold waiting = hold(channelTo("p", Set.of("locks"), new Object(), null), "x");
    ListenableFuture<Boolean> next = takeDirectly("x", behind);

    waiting.end();
    hub.locks("p").release("x", holder);

    assertEquals(Status.Code.CANCELLED, waiting.ended().getCode());
    assertTrue(next.isDone(), "the lock went to the caller that gave up");
    assertEquals(behind, hub.locks("p").holder("x"));
  }

  @Test
  void holdLock_grantedJustAsTheCallEnds_isReleased_toTheNextInLine() throws Exception {
    Runnable letGo = holdTheHubsRequestThreads(); // the grant's answer waits: the call ends in between
    Object process = new Object();
    LockTable.Lease holder = new LockTable.Lease(new Object(), "holder");
    LockTable.Lease behind = new LockTable.Lease(new Object(), "behind");
    takeDirectly("x", holder);
    Hold waiting = hold(channelTo("p", Set.of("locks"), process, null), "x");
    ListenableFuture<Boolean> next = takeDirectly("x", behind);
    hub.locks("p").release("x", holder);
    assertSame(process, hub.locks("p").holder("x").owner(), "granted");

    waiting.end();

    assertTrue(next.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertEquals(behind, hub.locks("p").holder("x"));
    letGo.run();
    assertEquals(Status.Code.CANCELLED, waiting.ended().getCode());
    assertFalse(waiting.acquired.isDone(), "the caller that ended its call was told it holds the lock");
  }

  @Test
  void holdLock_tryOnlyWhileHeld_answersNotAcquired_andEndsTheCall() throws Exception {
    takeDirectly("x", new LockTable.Lease(new Object(), "holder"));
    HostServicesGrpc.HostServicesStub stub = HostServicesGrpc.newStub(channelTo("p", Set.of("locks"), new Object(), null));

    Hold tried = hold(stub, "x", true);

    assertFalse(tried.acquired());
    assertEquals(Status.Code.OK, tried.ended().getCode());
    assertEquals("holder", hub.locks("p").holder("x").id());
  }

  @Test
  void holdLock_tryOnlyWhenFree_holdsIt_untilTheCallEnds() throws Exception {
    Object process = new Object();
    HostServicesGrpc.HostServicesStub stub = HostServicesGrpc.newStub(channelTo("p", Set.of("locks"), process, null));

    Hold tried = hold(stub, "x", true);

    assertTrue(tried.acquired());
    assertSame(process, hub.locks("p").holder("x").owner());
    ListenableFuture<Boolean> next = takeDirectly("x", new LockTable.Lease(new Object(), "next"));
    tried.end();
    assertTrue(next.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
  }

  @Test
  void holdLock_pastTheCallersDeadline_failsWithDeadlineExceeded_andNeverKeepsTheLock() throws Exception {
    LockTable.Lease holder = new LockTable.Lease(new Object(), "holder");
    takeDirectly("x", holder);
    HostServicesGrpc.HostServicesStub stub = HostServicesGrpc.newStub(channelTo("p", Set.of("locks"), new Object(), null));

    Hold late = hold(stub.withDeadlineAfter(50, TimeUnit.MILLISECONDS), "x", false);

    assertEquals(Status.Code.DEADLINE_EXCEEDED, late.ended().getCode());
    LockTable.Lease behind = new LockTable.Lease(new Object(), "behind");
    ListenableFuture<Boolean> next = takeDirectly("x", behind);
    hub.locks("p").release("x", holder);
    assertTrue(next.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the lock stayed with a caller whose deadline had passed");
    assertEquals(behind, hub.locks("p").holder("x"));
  }

  @Test
  void holdLock_handledAfterTheProcessesLocksWereReleased_failsWithCancelled_andTakesNothing() throws Exception {
    // The request arrived before the process ended but runs after: queued on the request threads
    // when ProcessServices.close released the process's locks.
    Object process = new Object();
    List<Runnable> queued = new CopyOnWriteArrayList<>();
    ManagedChannel channel = channelTo("p", Set.of("locks"), process, queued::add);
    Hold late = hold(channel, "x");
    assertFalse(queued.isEmpty(), "the request did not reach the server's executor");

    hub.locks("p").releaseAll(process);
    while (!queued.isEmpty()) {
      queued.remove(0).run();
    }

    Status status = late.ended();
    assertEquals(Status.Code.CANCELLED, status.getCode());
    assertEquals("the process's hold on its locks ended", status.getDescription());
    assertNull(hub.locks("p").holder("x"), "a process that had ended took a lock");
  }

  @Test
  void holdLock_badName_isInvalidArgument_andTooManyLocksIsResourceExhausted() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("locks"), new Object(), null);
    assertEquals(Status.Code.INVALID_ARGUMENT, hold(channel, "").ended().getCode());
    assertEquals(Status.Code.INVALID_ARGUMENT, hold(channel, "n".repeat(257)).ended().getCode());

    LockTable table = hub.locks("p");
    for (int i = 0; i < LockTable.MAX_LOCKS; i++) {
      table.acquire("lock-" + i, new LockTable.Lease(this, "l" + i), true);
    }
    Status full = hold(channel, "one-more").ended();
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getCode());
    assertTrue(full.getDescription().contains("plugin p"), full.getDescription());
  }

  @Test
  void locks_arePerPlugin() throws Exception {
    assertTrue(hold(channelTo("p", Set.of("locks"), new Object(), null), "x").acquired());

    Hold other = hold(HostServicesGrpc.newStub(channelTo("other", Set.of("locks"), new Object(), null)), "x", true);

    assertTrue(other.acquired());
  }

  // ---- Calls to other plugins ----

  @Test
  void callPlugin_relaysFunctionAndInput_andAnswersWithTheOutput() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);

    CompletableFuture<CallPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("square").setInput(utf8("3")).build(), observer));
    RecordingPluginHandle.Call call = squares.nextCall(TIMEOUT_SECONDS);
    call.callReply().set("9".getBytes(StandardCharsets.UTF_8));

    assertEquals("square", call.function());
    assertArrayEquals("3".getBytes(StandardCharsets.UTF_8), call.inputs().get(0));
    assertEquals(utf8("9"), response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getOutput());
  }

  @Test
  void callPlugin_passesTheRemainingDeadline_andNamesTheCaller() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);

    HostServicesEndpointTest.<CallPluginResponse>async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));
    RecordingPluginHandle.Call call = squares.nextCall(TIMEOUT_SECONDS);

    assertTrue(call.timeout().compareTo(Duration.ofSeconds(30)) <= 0, "timeout " + call.timeout());
    assertTrue(call.timeout().compareTo(Duration.ofSeconds(20)) > 0, "timeout " + call.timeout());
    assertEquals(Map.of(PluginApi.CALLER_METADATA, "p"), call.metadata());
  }

  @Test
  void callPlugin_withoutADeadline_getsTheDefaultTimeout() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);

    HostServicesEndpointTest.<CallPluginResponse>async(observer -> HostServicesGrpc.newStub(channel)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));

    assertEquals(Duration.ofSeconds(60), squares.nextCall(TIMEOUT_SECONDS).timeout());
  }

  @Test
  void callPlugin_cancelledByTheCaller_cancelsTheRelayedCall() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    Context.CancellableContext giveUp = Context.current().withCancellation();
    giveUp.run(() -> HostServicesEndpointTest.<CallPluginResponse>async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer)));
    SettableFuture<byte[]> relayed = squares.nextCall(TIMEOUT_SECONDS).callReply();
    CountDownLatch cancelled = new CountDownLatch(1);
    relayed.addListener(cancelled::countDown, Runnable::run);

    giveUp.cancel(null);

    assertTrue(cancelled.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the relayed call ran on");
    assertTrue(relayed.isCancelled());
  }

  @Test
  void mapPlugin_cancelledByTheCaller_cancelsTheRelayedMap() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    Context.CancellableContext giveUp = Context.current().withCancellation();
    giveUp.run(() -> HostServicesEndpointTest.<MapPluginResponse>async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .mapPlugin(MapPluginRequest.newBuilder().setPluginId("squares").setFunction("f").addInputs(utf8("1")).build(), observer)));
    SettableFuture<List<CallOutcome>> relayed = squares.nextCall(TIMEOUT_SECONDS).mapReply();
    CountDownLatch cancelled = new CountDownLatch(1);
    relayed.addListener(cancelled::countDown, Runnable::run);

    giveUp.cancel(null);

    assertTrue(cancelled.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the relayed map ran on");
    assertTrue(relayed.isCancelled());
  }

  @Test
  void callPlugin_failure_passesOnThePluginsCodeAndDescription() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    CompletableFuture<CallPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));

    squares.nextCall(TIMEOUT_SECONDS).callReply().setException(
        new PluginCallException(Status.Code.UNAVAILABLE, "squares", "f", 7, "plugin squares is restarting", null, null, null));

    Status status = statusOf(response);
    assertEquals(Status.Code.UNAVAILABLE, status.getCode());
    assertEquals("plugin squares is restarting", status.getDescription());
  }

  @Test
  void callPlugin_refusedAtOnceByTheHandle_answersWithItsStatus() throws IOException {
    squares.throwOnStart =
        new PluginCallException(Status.Code.FAILED_PRECONDITION, "squares", "f", 0, "plugin squares is disabled", null, null, null);
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("call:squares"));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build()));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("plugin squares is disabled", e.getStatus().getDescription());
  }

  @Test
  void callPlugin_failingWithoutAPluginCallException_isInternal() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    CompletableFuture<CallPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));

    squares.nextCall(TIMEOUT_SECONDS).callReply().setException(new IllegalStateException("broken"));

    assertEquals(Status.Code.INTERNAL, statusOf(response).getCode());
  }

  @Test
  void callPlugin_toAnUnknownPlugin_isNotFound() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("call:*"));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId("nobody").setFunction("f").build()));

    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("nobody"), e.getStatus().getDescription());
    assertEquals(
        Status.Code.NOT_FOUND,
        codeOf(() -> stub.mapPlugin(MapPluginRequest.newBuilder().setPluginId("nobody").setFunction("f").build())));
  }

  @Test
  void callPlugin_failingBecauseTheCalleeDied_saysHow_butNotWhatItWroteOrWhere() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    CompletableFuture<CallPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callPlugin(CallPluginRequest.newBuilder().setPluginId("squares").setFunction("f").build(), observer));

    squares.nextCall(TIMEOUT_SECONDS).callReply().setException(died("squares"));

    Status status = statusOf(response);
    assertEquals(Status.Code.UNAVAILABLE, status.getCode());
    assertEquals("plugin squares failed the call: its process ended (out of memory)", status.getDescription());
  }

  @Test
  void mapPlugin_inputFailedBecauseTheCalleeDied_saysHow_butNotWhatItWroteOrWhere() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    CompletableFuture<MapPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .mapPlugin(MapPluginRequest.newBuilder().setPluginId("squares").setFunction("f").addInputs(utf8("1")).build(), observer));

    squares.nextCall(TIMEOUT_SECONDS).mapReply().set(List.of(CallOutcome.failure(died("squares"))));

    ItemResult result = response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getResults(0);
    assertEquals(Status.Code.UNAVAILABLE.value(), result.getError().getCode());
    assertEquals("plugin squares failed the call: its process ended (out of memory)", result.getError().getDescription());
  }

  /** A call failed by its process's death, whose words carry what no other plugin should read. */
  private static PluginCallException died(String pluginId) {
    ProcessDeath death = new ProcessDeath(
        pluginId, 7, Instant.now(), DeathCause.OUT_OF_MEMORY, 3,
        "ran out of heap (see /var/lib/host/secret-dump.hprof)", List.of("password=hunter2"), Optional.empty());
    return new PluginCallException(
        Status.Code.UNAVAILABLE, pluginId, "f", 7,
        "plugin " + pluginId + " died: pid 7 ran out of heap (see /var/lib/host/secret-dump.hprof); last output: password=hunter2",
        death, null, null);
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", "../squares", "has space", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void callAndMap_toABadlyNamedPlugin_areInvalidArgument_beforeAnyGrantCheck(String id) throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of());

    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> stub.callPlugin(CallPluginRequest.newBuilder().setPluginId(id).setFunction("f").build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> stub.mapPlugin(MapPluginRequest.newBuilder().setPluginId(id).setFunction("f").build())));
    assertEquals(0, squares.pendingCalls());
  }

  @Test
  void mapPlugin_answersOneResultPerInput_inOrder_withEachErrorsCodeAndClass() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("call:squares"), new Object(), null);
    CompletableFuture<MapPluginResponse> response = async(observer -> HostServicesGrpc.newStub(channel)
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .mapPlugin(MapPluginRequest.newBuilder().setPluginId("squares").setFunction("square")
            .addInputs(utf8("2")).addInputs(utf8("x")).addInputs(utf8("3")).build(), observer));
    RecordingPluginHandle.Call call = squares.nextCall(TIMEOUT_SECONDS);

    call.mapReply().set(List.of(
        CallOutcome.success("4".getBytes(StandardCharsets.UTF_8)),
        CallOutcome.failure(new PluginCallException(
            Status.Code.INVALID_ARGUMENT, "squares", "square", 7, "not a number: x", null, "java.lang.NumberFormatException", null)),
        CallOutcome.success("9".getBytes(StandardCharsets.UTF_8))));

    assertEquals("square", call.function());
    assertEquals(3, call.inputs().size());
    assertEquals(Map.of(PluginApi.CALLER_METADATA, "p"), call.metadata());
    assertTrue(call.timeout().compareTo(Duration.ofSeconds(20)) > 0, "timeout " + call.timeout());
    List<ItemResult> results = response.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getResultsList();
    assertEquals(utf8("4"), results.get(0).getOutput());
    assertEquals(Status.Code.INVALID_ARGUMENT.value(), results.get(1).getError().getCode());
    assertEquals("not a number: x", results.get(1).getError().getDescription());
    assertEquals("java.lang.NumberFormatException", results.get(1).getError().getExceptionClass());
    assertEquals(utf8("9"), results.get(2).getOutput());
  }

  // ---- The application's services ----

  private static CallServiceRequest serviceRequest(String service, String method, String payload) {
    return CallServiceRequest.newBuilder().setService(service).setMethod(method).setRequest(utf8(payload)).build();
  }

  @Test
  void callService_answersWithTheServicesBytes_andTellsItWhoAsks() throws IOException {
    List<ServiceRequest> received = new CopyOnWriteArrayList<>();
    services.put("pricing", request -> {
      received.add(request);
      return ("price of " + request.text()).getBytes(StandardCharsets.UTF_8);
    });
    HostServicesGrpc.HostServicesBlockingStub stub =
        HostServicesGrpc.newBlockingStub(channelTo("p", Set.of("service:pricing"), new Object(), null)).withDeadlineAfter(30, TimeUnit.SECONDS);
    Instant before = Instant.now();

    CallServiceResponse response = stub.callService(serviceRequest("pricing", "quote", "apples"));

    assertEquals(utf8("price of apples"), response.getResponse());
    ServiceRequest request = received.get(0);
    assertEquals("pricing", request.service());
    assertEquals("p", request.pluginId());
    assertEquals(PID, request.pid());
    assertEquals("quote", request.method());
    assertEquals("apples", request.text());
    assertTrue(request.deadline().isAfter(before.plusSeconds(20)) && !request.deadline().isAfter(Instant.now().plusSeconds(30)),
        "deadline " + request.deadline());
  }

  @Test
  void callService_answeringNull_sendsEmpty() throws IOException {
    services.put("pricing", request -> null);
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    assertEquals(ByteString.EMPTY, stub.callService(serviceRequest("pricing", "m", "")).getResponse());
  }

  @Test
  void callService_toAnUnregisteredService_isNotFound() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:missing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("missing", "m", "")));

    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("'missing'"), e.getStatus().getDescription());
  }

  @Test
  void callService_throwingPluginServiceException_passesOnItsCodeAndMessage() throws IOException {
    services.put("pricing", request -> {
      throw new PluginServiceException(Status.Code.FAILED_PRECONDITION, "market closed");
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "x")));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("market closed", e.getStatus().getDescription());
  }

  static Stream<Arguments> exceptionsOtherThanPluginServiceException() {
    io.grpc.Metadata trailers = new io.grpc.Metadata();
    trailers.put(io.grpc.Metadata.Key.of("x-app-internal", io.grpc.Metadata.ASCII_STRING_MARSHALLER), "hunter2");
    return Stream.of(
        Arguments.of(new IOException("jdbc:postgresql://db.internal/prices password=hunter2")),
        Arguments.of(new IllegalArgumentException("no item hunter2")),
        Arguments.of(new IllegalStateException("hunter2")),
        Arguments.of(Status.FAILED_PRECONDITION.withDescription("market closed: hunter2").asException()),
        Arguments.of(Status.NOT_FOUND.withDescription("no item hunter2").asRuntimeException(trailers)),
        Arguments.of(new NoClassDefFoundError("com/acme/hunter2/Client")),
        Arguments.of(new AssertionError("hunter2")));
  }

  @ParameterizedTest
  @MethodSource("exceptionsOtherThanPluginServiceException")
  void callService_throwingAnythingElse_isInternal_withoutItsWordsCodeOrTrailers(Throwable thrown) throws IOException {
    services.put("pricing", request -> {
      if (thrown instanceof Error) {
        throw (Error) thrown;
      }
      throw (Exception) thrown;
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "x")));

    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    String description = e.getStatus().getDescription();
    assertEquals("service 'pricing' failed on method 'quote' (the host's log has why)", description);
    assertFalse(e.getTrailers().keys().contains("x-app-internal"), "the application's trailers reached the plugin");
    assertNull(e.getCause());
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", "has space", "a/b", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void callService_badServiceName_isInvalidArgument_beforeAnyGrantCheck(String name) throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of());

    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.callService(serviceRequest(name, "m", ""))));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(strings = {"", "has space", "tab\there", "\u00e9", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"})
  void callService_badMethodName_isInvalidArgument_andNeverReachesTheService(String method) throws IOException {
    List<ServiceRequest> served = new CopyOnWriteArrayList<>();
    services.put("pricing", request -> {
      served.add(request);
      return new byte[0];
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.callService(serviceRequest("pricing", method, ""))));
    assertEquals(List.of(), served);
  }

  @Test
  void callService_methodNameOfPrintableAscii_upTo128Chars_isServed() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    stub.callService(serviceRequest("pricing", "v1/quote:get?x=1", "a"));
    stub.callService(serviceRequest("pricing", "m".repeat(128), "a"));
  }

  /**
   * The service blocks a request whose method is "block" until the returned latch (or the test's
   * clean-up) lets it go, and counts it on {@code entered}; it answers any other at once.
   */
  private CountDownLatch blockingService(CountDownLatch entered) {
    CountDownLatch release = new CountDownLatch(1);
    services.put("pricing", request -> {
      if (request.method().equals("block")) {
        entered.countDown();
        if (!release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("never released");
        }
      }
      return new byte[] {1};
    });
    cleanup.then(release::countDown); // before the hub's threads are stopped
    return release;
  }

  /** Sends {@code count} "block" requests from the process on {@code channel}. */
  private static List<CompletableFuture<CallServiceResponse>> block(ManagedChannel channel, int count) {
    List<CompletableFuture<CallServiceResponse>> running = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      running.add(async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .callService(serviceRequest("pricing", "block", ""), observer)));
    }
    return running;
  }

  private static HostServicesGrpc.HostServicesBlockingStub blocking(ManagedChannel channel) {
    return HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Test
  void callService_pastThePluginsSlots_isResourceExhausted_beforeReachingTheService() throws Exception {
    int slots = HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN;
    CountDownLatch entered = new CountDownLatch(slots);
    CountDownLatch release = blockingService(entered);
    ManagedChannel channel = channelTo("p", Set.of("service:pricing"), new Object(), null);
    List<CompletableFuture<CallServiceResponse>> running = block(channel, slots);
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the service did not get every request");

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> blocking(channel).callService(serviceRequest("pricing", "block", "")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals(
        "plugin p already has 16 requests to the application's services running", e.getStatus().getDescription());

    release.countDown();
    for (CompletableFuture<CallServiceResponse> call : running) {
      assertEquals(ByteString.copyFrom(new byte[] {1}), call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getResponse());
    }
    blocking(channel).callService(serviceRequest("pricing", "quick", "")); // every slot came back
  }

  @Test
  void callService_slotsAreThePlugins_sharedByItsProcesses_andNotByOtherPlugins() throws Exception {
    int slots = HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN;
    CountDownLatch entered = new CountDownLatch(slots);
    blockingService(entered);
    ManagedChannel busy = channelTo("p", Set.of("service:pricing"), new Object(), null);
    ManagedChannel samePlugin = channelTo("p", Set.of("service:pricing"), new Object(), null);
    ManagedChannel otherPlugin = channelTo("other", Set.of("service:pricing"), new Object(), null);
    block(busy, slots);
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    assertEquals(
        Status.Code.RESOURCE_EXHAUSTED,
        codeOf(() -> blocking(samePlugin).callService(serviceRequest("pricing", "quick", ""))));
    blocking(otherPlugin).callService(serviceRequest("pricing", "quick", ""));
  }

  @Test
  void callService_pastTheHostsServiceThreads_isResourceExhausted() throws Exception {
    int perPlugin = HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN;
    int plugins = HostServiceHub.SERVICE_THREADS / perPlugin;
    CountDownLatch entered = new CountDownLatch(HostServiceHub.SERVICE_THREADS);
    blockingService(entered);
    for (int i = 0; i < plugins; i++) {
      block(channelTo("busy" + i, Set.of("service:pricing"), new Object(), null), perPlugin);
    }
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the service did not get every request");
    ManagedChannel idle = channelTo("idle", Set.of("service:pricing"), new Object(), null);

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class, () -> blocking(idle).callService(serviceRequest("pricing", "quick", "")));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertEquals(
        "the host runs 64 requests to the application's services already, its limit", e.getStatus().getDescription());
  }

  @Test
  void callService_refusedByTheHostsThreads_givesItsPluginsSlotBack() throws Exception {
    int perPlugin = HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN;
    CountDownLatch entered = new CountDownLatch(HostServiceHub.SERVICE_THREADS);
    blockingService(entered);
    for (int i = 0; i < HostServiceHub.SERVICE_THREADS / perPlugin; i++) {
      block(channelTo("busy" + i, Set.of("service:pricing"), new Object(), null), perPlugin);
    }
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    ManagedChannel idle = channelTo("idle", Set.of("service:pricing"), new Object(), null);
    for (int i = 0; i < perPlugin + 1; i++) {
      assertEquals(
          Status.Code.RESOURCE_EXHAUSTED, codeOf(() -> blocking(idle).callService(serviceRequest("pricing", "quick", ""))));
    }

    assertEquals(perPlugin, hub.serviceSlots("idle").availablePermits(), "refused requests kept their slots");
  }

  @Test
  void callService_slotIsFreeByTheTimeItsAnswerArrives() throws Exception {
    // A plugin that keeps all its slots busy, sending the next request as each answer arrives,
    // must not be refused: the slot of an answered request is free when the answer is read.
    int blocked = HostServiceHub.SERVICE_REQUESTS_PER_PLUGIN - 1;
    CountDownLatch entered = new CountDownLatch(blocked);
    blockingService(entered);
    ManagedChannel channel = channelTo("p", Set.of("service:pricing"), new Object(), null);
    block(channel, blocked);
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    CompletableFuture<Status> next = new CompletableFuture<>();

    // The answer is read on the thread that sent it (direct executors); the next request goes out
    // from there, and the test waits for its answer before letting that thread go on.
    HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS).callService(
        serviceRequest("pricing", "quick", ""),
        new StreamObserver<>() {
          @Override
          public void onNext(CallServiceResponse value) {
            CompletableFuture<CallServiceResponse> again = async(observer -> HostServicesGrpc.newStub(channel)
                .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS).callService(serviceRequest("pricing", "quick", ""), observer));
            try {
              again.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
              next.complete(Status.OK);
            } catch (java.util.concurrent.ExecutionException e) {
              next.complete(Status.fromThrowable(e.getCause()));
            } catch (Exception e) {
              next.completeExceptionally(e);
            }
          }

          @Override
          public void onError(Throwable t) {
            next.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });

    assertEquals(Status.Code.OK, next.get(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS).getCode(), "the next request was refused");
  }
}
