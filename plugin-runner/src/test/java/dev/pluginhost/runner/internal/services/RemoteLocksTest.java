package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * RemoteLocks against a fake host on a Unix socket: a lock is held by one open HoldLock call, and
 * everything that ends the hold (close, a timeout, an interrupt, the process's connection going
 * away) reaches the host as that call ending.
 */
class RemoteLocksTest {
  private static final long TIMEOUT_SECONDS = Cleanup.TIMEOUT_SECONDS;
  private static final Duration WAIT = Duration.ofSeconds(TIMEOUT_SECONDS);

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;

  private FakeHost host;
  private HostOnSocket socket;
  private RemoteLocks locks;

  @BeforeEach
  void setUp() throws Exception {
    socket = new HostOnSocket(dir, cleanup);
    host = socket.host;
    locks = new RemoteLocks(socket.connection, new GrantCheck("p", Set.of("locks")));
  }

  /** A fake host that never answers, as for a lock held elsewhere. */
  private void lockHeldElsewhere() {
    host.onHold = (request, responses) -> {};
  }

  /** An {@code acquire("x", WAIT)} on a thread of its own: what it threw, and its interrupt flag then. */
  private record Waiter(Thread thread, CompletableFuture<Throwable> thrown, CompletableFuture<Boolean> flagAfter) {}

  private Waiter acquireOnAnotherThread() {
    CompletableFuture<Throwable> thrown = new CompletableFuture<>();
    CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
    Thread thread = new Thread(() -> {
      try {
        locks.acquire("x", WAIT);
        thrown.complete(null);
      } catch (Throwable t) {
        flagAfter.complete(Thread.currentThread().isInterrupted());
        thrown.complete(t);
      }
    }, "waiter");
    thread.start();
    cleanup.then(thread::interrupt);
    return new Waiter(thread, thrown, flagAfter);
  }

  @Test
  void acquire_sendsTheName_andHoldsTheCallOpenUntilClose() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);

    FakeHost.Received<HoldLockRequest, HoldLockResponse> call = FakeHost.next(host.holds, TIMEOUT_SECONDS);
    assertEquals("x", call.request().getName());
    assertFalse(call.request().getTryOnly());
    assertEquals("x", held.name());
    assertTrue(host.holdsEnded.isEmpty(), "the hold ended before close");

    held.close();

    assertSame(call, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void close_twice_isHarmless_andEndsTheHoldOnce() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);

    held.close();
    held.close();

    FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS);
    assertTrue(host.holdsEnded.poll(100, TimeUnit.MILLISECONDS) == null, "ended twice");
  }

  @Test
  void eachAcquisition_isACallOfItsOwn_andCloseEndsOnlyItsOwn() throws Exception {
    Locks.HeldLock first = locks.acquire("x", WAIT);
    Locks.HeldLock second = locks.acquire("y", WAIT);
    FakeHost.Received<HoldLockRequest, HoldLockResponse> firstCall = FakeHost.next(host.holds, TIMEOUT_SECONDS);
    FakeHost.Received<HoldLockRequest, HoldLockResponse> secondCall = FakeHost.next(host.holds, TIMEOUT_SECONDS);

    second.close();

    assertSame(secondCall, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
    assertTrue(host.holdsEnded.isEmpty(), "the first hold ended too");
    first.close();
    assertSame(firstCall, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void everyCall_carriesTheSpawnsToken() throws Exception {
    locks.acquire("x", WAIT).close();
    locks.tryAcquire("y").orElseThrow().close();

    assertEquals(WireProtocol.tokenHeaderValue(socket.token), FakeHost.next(host.tokens, TIMEOUT_SECONDS));
    assertEquals(WireProtocol.tokenHeaderValue(socket.token), FakeHost.next(host.tokens, TIMEOUT_SECONDS));
  }

  @Test
  void acquire_theHostFailingTheCall_isTranslated() {
    host.onHold = (request, responses) ->
        responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("plugin p holds or waits for 10000 locks").asRuntimeException());

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", WAIT));

    assertEquals(HostServiceException.Code.RESOURCE_EXHAUSTED, e.code());
    assertEquals("RESOURCE_EXHAUSTED: plugin p holds or waits for 10000 locks", e.getMessage());
  }

  @Test
  void acquire_notFreeInTime_isDeadlineExceeded_andTheHostSeesTheWaitEnd() throws Exception {
    lockHeldElsewhere();

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", Duration.ofMillis(100)));

    assertEquals(HostServiceException.Code.DEADLINE_EXCEEDED, e.code());
    assertEquals("DEADLINE_EXCEEDED: lock 'x' was not free within 100 ms", e.getMessage());
    FakeHost.Received<HoldLockRequest, HoldLockResponse> call = FakeHost.next(host.holds, TIMEOUT_SECONDS);
    assertSame(call, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void acquire_interrupted_throwsInterruptedException_withTheFlagCleared_andTheHostSeesTheWaitEnd() throws Exception {
    lockHeldElsewhere();
    Waiter waiter = acquireOnAnotherThread();
    FakeHost.Received<HoldLockRequest, HoldLockResponse> call = FakeHost.next(host.holds, TIMEOUT_SECONDS);

    waiter.thread().interrupt();

    Throwable thrown = waiter.thrown().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertTrue(thrown instanceof InterruptedException, "threw " + thrown);
    assertFalse(waiter.flagAfter().get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "flag set after InterruptedException");
    assertSame(call, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void close_onAnInterruptedThread_stillEndsTheHold_andKeepsTheFlag() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);
    FakeHost.Received<HoldLockRequest, HoldLockResponse> call = FakeHost.next(host.holds, TIMEOUT_SECONDS);

    Thread.currentThread().interrupt();
    try {
      held.close();
      assertTrue(Thread.currentThread().isInterrupted(), "close() swallowed the interrupt");
    } finally {
      Thread.interrupted();
    }

    assertSame(call, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void theProcessEnding_endsItsHolds_atTheHost() throws Exception {
    locks.acquire("x", WAIT);
    lockHeldElsewhere();
    Waiter waiting = acquireOnAnotherThread();
    FakeHost.Received<HoldLockRequest, HoldLockResponse> held = FakeHost.next(host.holds, TIMEOUT_SECONDS);
    FakeHost.Received<HoldLockRequest, HoldLockResponse> wait = FakeHost.next(host.holds, TIMEOUT_SECONDS);

    socket.processEnds();

    assertEquals(
        Set.of(held, wait),
        Set.of(FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS), FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS)));
    Throwable thrown = waiting.thrown().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertTrue(thrown instanceof HostServiceException, "threw " + thrown);
    assertEquals(HostServiceException.Code.UNAVAILABLE, ((HostServiceException) thrown).code());
  }

  @Test
  void tryAcquire_whenFree_holdsIt_untilClose() throws Exception {
    Optional<Locks.HeldLock> held = locks.tryAcquire("x");

    assertTrue(held.isPresent());
    FakeHost.Received<HoldLockRequest, HoldLockResponse> call = FakeHost.next(host.holds, TIMEOUT_SECONDS);
    assertTrue(call.request().getTryOnly());
    assertTrue(host.holdsEnded.isEmpty(), "the hold ended before close");
    held.get().close();
    assertSame(call, FakeHost.next(host.holdsEnded, TIMEOUT_SECONDS));
  }

  @Test
  void tryAcquire_whenHeld_isEmpty() throws Exception {
    host.onHold = (request, responses) ->
        FakeHost.answer(responses, HoldLockResponse.newBuilder().setAcquired(false).build());

    assertEquals(Optional.empty(), locks.tryAcquire("x"));
  }

  @Test
  void tryAcquire_onAnInterruptedThread_stillAnswers_andKeepsTheFlag() throws Exception {
    Thread.currentThread().interrupt();
    Optional<Locks.HeldLock> held;
    try {
      held = locks.tryAcquire("x");
      assertTrue(Thread.currentThread().isInterrupted(), "tryAcquire swallowed the interrupt");
    } finally {
      Thread.interrupted();
    }

    assertTrue(held.isPresent());
    held.get().close();
  }

  @Test
  void tryAcquire_failing_saysWhy() {
    host.onHold = (request, responses) ->
        responses.onError(Status.INVALID_ARGUMENT.withDescription("a lock's name is 1 to 256 characters").asRuntimeException());

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.tryAcquire("x"));

    assertEquals(HostServiceException.Code.INVALID_ARGUMENT, e.code());
    assertEquals("INVALID_ARGUMENT: a lock's name is 1 to 256 characters", e.getMessage());
  }

  @Test
  void withoutTheGrant_failsAtOnce_andSendsNothing() {
    RemoteLocks ungranted = new RemoteLocks(socket.connection, new GrantCheck("p", Set.of("kv")));

    HostServiceException e = assertThrows(HostServiceException.class, () -> ungranted.acquire("x", WAIT));
    assertThrows(HostServiceException.class, () -> ungranted.tryAcquire("x"));

    assertEquals(HostServiceException.Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of("locks"), e.missingGrant());
    assertTrue(host.tokens.isEmpty(), "a request reached the host");
  }

  @Test
  void hostRefusingTheGrant_isPermissionDenied_namingIt() {
    Metadata trailers = new Metadata();
    trailers.put(WireProtocol.MISSING_GRANT_TRAILER, "locks");
    host.onHold = (request, responses) ->
        responses.onError(Status.PERMISSION_DENIED.withDescription("plugin p was not granted \"locks\"").asRuntimeException(trailers));

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", WAIT));

    assertEquals(HostServiceException.Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of("locks"), e.missingGrant());
  }
}
