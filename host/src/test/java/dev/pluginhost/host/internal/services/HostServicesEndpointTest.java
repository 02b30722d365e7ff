package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.OutputLine;
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
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.LogRecord;
import dev.pluginhost.proto.runner.v1.LogRequest;
import dev.pluginhost.proto.runner.v1.MapPluginRequest;
import dev.pluginhost.proto.runner.v1.MapPluginResponse;
import dev.pluginhost.proto.runner.v1.ReleaseLockRequest;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
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
    rpcs.add(rpc("AcquireLock", "locks", stub -> stub.acquireLock(AcquireLockRequest.newBuilder().setName("x").setLease("l").build())));
    rpcs.add(rpc("ReleaseLock", "locks", stub -> stub.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("l").build())));
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
  void kv_badKeyOrValue_isInvalidArgument_andAFullStoreIsResourceExhausted() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("kv"));

    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.kvGet(KvGetRequest.newBuilder().setKey("").build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
        codeOf(() -> stub.kvPut(KvPutRequest.newBuilder().setKey("k".repeat(257)).setValue(utf8("v")).build())));
    assertEquals(
        Status.Code.INVALID_ARGUMENT,
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

  private static AcquireLockRequest acquire(String name, String lease) {
    return AcquireLockRequest.newBuilder().setName(name).setLease(lease).build();
  }

  /** An acquisition whose answer arrives later: its response or error completes the future. */
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

  @Test
  void acquireLock_whenFree_holdsItForTheCallersProcessAndLease() throws IOException {
    Object process = new Object();
    HostServicesGrpc.HostServicesBlockingStub stub =
        HostServicesGrpc.newBlockingStub(channelTo("p", Set.of("locks"), process, null)).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertTrue(stub.acquireLock(acquire("x", "lease-1")).getAcquired());

    assertEquals(new LockTable.Lease(process, "lease-1"), hub.locks("p").holder("x"));
  }

  @Test
  void acquireLock_whileHeld_waitsUntilReleased() throws IOException {
    ManagedChannel channel = channelTo("p", Set.of("locks"), new Object(), null);
    HostServicesGrpc.HostServicesBlockingStub stub = HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    HostServicesGrpc.HostServicesStub async = HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    stub.acquireLock(acquire("x", "first"));

    CompletableFuture<AcquireLockResponse> second = async(observer -> async.acquireLock(acquire("x", "second"), observer));
    assertFalse(second.isDone());

    stub.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("first").build());
    assertTrue(second.isDone(), "the waiting acquisition was not answered on release");
    assertTrue(second.join().getAcquired());
  }

  @Test
  void acquireLock_tryOnlyWhileHeld_answersFalseAtOnce() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("locks"));
    stub.acquireLock(acquire("x", "first"));

    assertFalse(stub.acquireLock(acquire("x", "second").toBuilder().setTryOnly(true).build()).getAcquired());
  }

  @Test
  void acquireLock_cancelledByTheCaller_withdrawsTheWait() throws Exception {
    ManagedChannel channel = channelTo("p", Set.of("locks"), new Object(), null);
    HostServicesGrpc.HostServicesBlockingStub stub = HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    stub.acquireLock(acquire("x", "holder"));
    Context.CancellableContext giveUp = Context.current().withCancellation();
    CompletableFuture<AcquireLockResponse> waiting =
        giveUp.call(() -> async(observer -> HostServicesGrpc.newStub(channel).acquireLock(acquire("x", "waiter"), observer)));

    giveUp.cancel(null);
    assertEquals(Status.Code.CANCELLED, statusOf(waiting).getCode());
    stub.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("holder").build());

    assertNull(hub.locks("p").holder("x"), "the lock went to a caller that gave up");
  }

  @Test
  void acquireLock_pastItsDeadline_failsWithDeadlineExceeded_andWithdrawsTheWait() throws IOException {
    ManagedChannel channel = channelTo("p", Set.of("locks"), new Object(), null);
    HostServicesGrpc.HostServicesBlockingStub stub = HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    stub.acquireLock(acquire("x", "holder"));

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(50, TimeUnit.MILLISECONDS).acquireLock(acquire("x", "late")));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    stub.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("holder").build());

    assertNull(hub.locks("p").holder("x"), "the lock went to a caller whose deadline had passed");
  }

  @Test
  void acquireLock_waitingWhenTheProcessesLocksAreReleased_failsWithCancelled() throws IOException {
    Object process = new Object();
    ManagedChannel channel = channelTo("p", Set.of("locks"), process, null);
    hub.locks("p").acquire("x", new LockTable.Lease(new Object(), "someone-else"), false);
    CompletableFuture<AcquireLockResponse> waiting =
        async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS).acquireLock(acquire("x", "mine"), observer));

    hub.locks("p").releaseAll(process);

    Status status = statusOf(waiting);
    assertEquals(Status.Code.CANCELLED, status.getCode());
    assertEquals("the process's hold on its locks ended", status.getDescription());
  }

  @Test
  void acquireLock_handledAfterTheProcessesLocksWereReleased_takesNothing() throws Exception {
    // The request arrived before the process ended but runs after: queued on the request threads
    // when ProcessServices.close released the process's locks.
    Object process = new Object();
    List<Runnable> queued = new CopyOnWriteArrayList<>();
    ManagedChannel channel = channelTo("p", Set.of("locks"), process, queued::add);
    CompletableFuture<AcquireLockResponse> late =
        async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS).acquireLock(acquire("x", "late"), observer));
    assertFalse(queued.isEmpty(), "the request did not reach the server's executor");

    hub.locks("p").releaseAll(process);
    while (!queued.isEmpty()) {
      queued.remove(0).run();
    }

    assertEquals(Status.Code.CANCELLED, statusOf(late).getCode());
    assertNull(hub.locks("p").holder("x"), "a process that had ended took a lock");
  }

  @Test
  void acquireLock_badLease_isInvalidArgument() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("locks"));

    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.acquireLock(acquire("x", ""))));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.acquireLock(acquire("x", "l".repeat(65)))));
    assertTrue(stub.acquireLock(acquire("x", "l".repeat(64))).getAcquired());
  }

  @Test
  void acquireLock_badName_isInvalidArgument_andTooManyLocksIsResourceExhausted() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("locks"));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.acquireLock(acquire("", "l"))));
    assertEquals(Status.Code.INVALID_ARGUMENT, codeOf(() -> stub.acquireLock(acquire("n".repeat(257), "l"))));

    LockTable table = hub.locks("p");
    for (int i = 0; i < LockTable.MAX_LOCKS; i++) {
      table.acquire("lock-" + i, new LockTable.Lease(this, "l" + i), true);
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, codeOf(() -> stub.acquireLock(acquire("one-more", "l"))));
  }

  @Test
  void releaseLock_ofAnotherProcesssLease_isIgnored_evenWithTheSameLeaseId() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub holder = serve(Set.of("locks"));
    HostServicesGrpc.HostServicesBlockingStub other = serve(Set.of("locks"));
    holder.acquireLock(acquire("x", "lease-1"));
    LockTable.Lease held = hub.locks("p").holder("x");

    other.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("lease-1").build());
    other.releaseLock(ReleaseLockRequest.newBuilder().setName("x").setLease("unknown").build());
    other.releaseLock(ReleaseLockRequest.newBuilder().setName("never-held").setLease("lease-1").build());

    assertEquals(held, hub.locks("p").holder("x"));
  }

  @Test
  void locks_arePerPlugin() throws IOException {
    HostServicesGrpc.HostServicesBlockingStub mine = serve(Set.of("locks"));
    HostServicesGrpc.HostServicesBlockingStub other =
        HostServicesGrpc.newBlockingStub(channelTo("other", Set.of("locks"), new Object(), null))
            .withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS);

    mine.acquireLock(acquire("x", "l"));

    assertTrue(other.acquireLock(acquire("x", "l").toBuilder().setTryOnly(true).build()).getAcquired());
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
    assertEquals(Map.of(HostServicesEndpoint.CALLER_METADATA, "p"), call.metadata());
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
    assertEquals(Map.of(HostServicesEndpoint.CALLER_METADATA, "p"), call.metadata());
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
  void callService_throwingStatusException_passesOnItsCodeAndDescription() throws IOException {
    services.put("pricing", request -> {
      throw Status.FAILED_PRECONDITION.withDescription("market closed").asException();
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "x")));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    assertEquals("market closed", e.getStatus().getDescription());
  }

  @Test
  void callService_throwingStatusRuntimeException_passesOnItsCodeAndDescription_notItsTrailers() throws IOException {
    io.grpc.Metadata trailers = new io.grpc.Metadata();
    io.grpc.Metadata.Key<String> internal = io.grpc.Metadata.Key.of("x-app-internal", io.grpc.Metadata.ASCII_STRING_MARSHALLER);
    trailers.put(internal, "secret");
    services.put("pricing", request -> {
      throw Status.NOT_FOUND.withDescription("no such item").asRuntimeException(trailers);
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "x")));

    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals("no such item", e.getStatus().getDescription());
    assertNull(e.getTrailers().get(internal), "the application's trailers reached the plugin");
  }

  @Test
  void callService_throwingIllegalArgumentException_isInvalidArgumentWithItsMessage() throws IOException {
    services.put("pricing", request -> {
      throw new IllegalArgumentException("name an item to price");
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "")));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("name an item to price", e.getStatus().getDescription());
  }

  @Test
  void callService_throwingAnythingElse_isInternal_withoutTheApplicationsDetail() throws IOException {
    services.put("pricing", request -> {
      throw new IOException("jdbc:postgresql://db.internal/prices password=hunter2");
    });
    HostServicesGrpc.HostServicesBlockingStub stub = serve(Set.of("service:pricing"));

    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.callService(serviceRequest("pricing", "quote", "x")));

    assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
    assertFalse(e.getStatus().getDescription().contains("hunter2"), e.getStatus().getDescription());
    assertFalse(e.getStatus().getDescription().contains("IOException"), e.getStatus().getDescription());
    assertTrue(e.getStatus().getDescription().contains("'pricing'"), e.getStatus().getDescription());
    assertNull(e.getCause());
  }

  @Test
  void callService_pastMaxServiceRequestsAtOnce_isResourceExhausted_beforeReachingTheService() throws Exception {
    CountDownLatch entered = new CountDownLatch(HostServicesEndpoint.MAX_SERVICE_REQUESTS);
    CountDownLatch release = new CountDownLatch(1);
    services.put("pricing", request -> {
      entered.countDown();
      if (!release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("never released");
      }
      return new byte[] {1};
    });
    ExecutorService requests = cleanup.executor(Executors.newCachedThreadPool());
    ManagedChannel channel = channelTo("p", Set.of("service:pricing"), new Object(), requests);
    cleanup.then(release::countDown); // before the executor is stopped
    List<CompletableFuture<CallServiceResponse>> running = new ArrayList<>();
    for (int i = 0; i < HostServicesEndpoint.MAX_SERVICE_REQUESTS; i++) {
      running.add(async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .callService(serviceRequest("pricing", "m", ""), observer)));
    }
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the service did not get every request");

    StatusRuntimeException e = assertThrows(
        StatusRuntimeException.class,
        () -> HostServicesGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
            .callService(serviceRequest("pricing", "m", "")));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("16"), e.getStatus().getDescription());

    release.countDown();
    for (CompletableFuture<CallServiceResponse> call : running) {
      assertEquals(ByteString.copyFrom(new byte[] {1}), call.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).getResponse());
    }
  }

  @Test
  void callService_slotIsFreeByTheTimeItsAnswerArrives() throws Exception {
    // A process that keeps MAX_SERVICE_REQUESTS going, sending the next as each answer arrives,
    // must not be refused: the slot of an answered request is free when the answer is read.
    int blocked = HostServicesEndpoint.MAX_SERVICE_REQUESTS - 1;
    CountDownLatch entered = new CountDownLatch(blocked);
    CountDownLatch release = new CountDownLatch(1);
    services.put("pricing", request -> {
      if (request.method().equals("block")) {
        entered.countDown();
        if (!release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("never released");
        }
      }
      return new byte[0];
    });
    ExecutorService requests = cleanup.executor(Executors.newCachedThreadPool());
    ManagedChannel channel = channelTo("p", Set.of("service:pricing"), new Object(), requests);
    cleanup.then(release::countDown);
    for (int i = 0; i < blocked; i++) {
      HostServicesEndpointTest.<CallServiceResponse>async(observer -> HostServicesGrpc.newStub(channel).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .callService(serviceRequest("pricing", "block", ""), observer));
    }
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

  @Test
  void callService_limitIsPerProcess() throws Exception {
    CountDownLatch entered = new CountDownLatch(HostServicesEndpoint.MAX_SERVICE_REQUESTS);
    CountDownLatch release = new CountDownLatch(1);
    services.put("pricing", request -> {
      if (request.method().equals("block")) {
        entered.countDown();
        if (!release.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("never released");
        }
      }
      return new byte[0];
    });
    ExecutorService requests = cleanup.executor(Executors.newCachedThreadPool());
    ManagedChannel busy = channelTo("p", Set.of("service:pricing"), new Object(), requests);
    ManagedChannel idle = channelTo("p", Set.of("service:pricing"), new Object(), requests);
    cleanup.then(release::countDown);
    for (int i = 0; i < HostServicesEndpoint.MAX_SERVICE_REQUESTS; i++) {
      HostServicesEndpointTest.<CallServiceResponse>async(observer -> HostServicesGrpc.newStub(busy).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
          .callService(serviceRequest("pricing", "block", ""), observer));
    }
    assertTrue(entered.await(TIMEOUT_SECONDS, TimeUnit.SECONDS));

    HostServicesGrpc.newBlockingStub(idle).withDeadlineAfter(TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .callService(serviceRequest("pricing", "quick", ""));
  }
}
