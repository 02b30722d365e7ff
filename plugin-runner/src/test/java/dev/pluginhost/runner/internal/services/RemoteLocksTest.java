package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.AcquireLockRequest;
import dev.pluginhost.proto.runner.v1.AcquireLockResponse;
import dev.pluginhost.proto.runner.v1.ReleaseLockRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

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

  @Test
  void acquire_sendsTheNameAndAFreshLease_andCloseReleasesThatLease() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);

    AcquireLockRequest request = FakeHost.next(host.acquires, TIMEOUT_SECONDS).request();
    assertEquals("x", request.getName());
    assertFalse(request.getTryOnly());
    UUID.fromString(request.getLease());
    assertEquals("x", held.name());
    assertTrue(host.releases.isEmpty(), "released before close");

    held.close();

    ReleaseLockRequest release = FakeHost.next(host.releases, TIMEOUT_SECONDS);
    assertEquals("x", release.getName());
    assertEquals(request.getLease(), release.getLease());
  }

  @Test
  void close_twice_releasesOnce() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);

    held.close();
    held.close();

    FakeHost.next(host.releases, TIMEOUT_SECONDS);
    assertTrue(host.releases.isEmpty(), "released twice");
  }

  @Test
  void eachAcquisition_hasALeaseOfItsOwn() throws Exception {
    locks.acquire("x", WAIT);
    locks.acquire("x", WAIT);

    assertNotEquals(
        FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease(),
        FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease());
  }

  @Test
  void everyCall_carriesTheSpawnsToken() throws Exception {
    locks.acquire("x", WAIT).close();

    assertEquals(WireProtocol.tokenHeaderValue(socket.token), FakeHost.next(host.tokens, TIMEOUT_SECONDS));
    assertEquals(WireProtocol.tokenHeaderValue(socket.token), FakeHost.next(host.tokens, TIMEOUT_SECONDS));
  }

  @Test
  void acquire_failingAfterTheHostGrantedIt_releasesTheLease() throws Exception {
    host.onAcquire = (request, responses) ->
        responses.onError(Status.UNAVAILABLE.withDescription("the host is going away").asRuntimeException());

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", WAIT));

    assertEquals(HostServiceException.Code.UNAVAILABLE, e.code());
    String lease = FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease();
    ReleaseLockRequest release = FakeHost.next(host.releases, TIMEOUT_SECONDS);
    assertEquals("x", release.getName());
    assertEquals(lease, release.getLease());
  }

  @Test
  void acquire_notFreeInTime_isDeadlineExceeded_andReleasesTheLease() throws Exception {
    host.onAcquire = (request, responses) -> {}; // never answers, as for a lock held elsewhere

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", Duration.ofMillis(100)));

    assertEquals(HostServiceException.Code.DEADLINE_EXCEEDED, e.code());
    assertEquals("DEADLINE_EXCEEDED: lock 'x' was not free within 100 ms", e.getMessage());
    String lease = FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease();
    assertEquals(lease, FakeHost.next(host.releases, TIMEOUT_SECONDS).getLease());
  }

  @Test
  void acquire_interrupted_throwsInterruptedException_andStillReleasesTheLease() throws Exception {
    host.onAcquire = (request, responses) -> {}; // the host may grant it just as the waiter gives up
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        locks.acquire("x", WAIT);
        outcome.complete(null);
      } catch (Throwable t) {
        outcome.complete(t);
      }
    }, "waiter");
    waiter.start();
    String lease = FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease();

    waiter.interrupt();

    Throwable thrown = outcome.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertTrue(thrown instanceof InterruptedException, "threw " + thrown);
    ReleaseLockRequest release = host.releases.poll(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    assertTrue(release != null, "the lease was never handed back: the release went out on an interrupted thread");
    assertEquals(lease, release.getLease());
  }

  @Test
  void acquire_interrupted_leavesTheInterruptFlagCleared() throws Exception {
    host.onAcquire = (request, responses) -> {};
    CompletableFuture<Boolean> flagAfter = new CompletableFuture<>();
    Thread waiter = new Thread(() -> {
      try {
        locks.acquire("x", WAIT);
        flagAfter.completeExceptionally(new AssertionError("acquired"));
      } catch (InterruptedException e) {
        flagAfter.complete(Thread.currentThread().isInterrupted());
      } catch (Throwable t) {
        flagAfter.completeExceptionally(t);
      }
    }, "waiter");
    waiter.start();
    FakeHost.next(host.acquires, TIMEOUT_SECONDS);

    waiter.interrupt();

    assertFalse(flagAfter.get(TIMEOUT_SECONDS, TimeUnit.SECONDS), "flag set after InterruptedException");
  }

  @Test
  void close_onAnInterruptedThread_stillReleases_andKeepsTheFlag() throws Exception {
    Locks.HeldLock held = locks.acquire("x", WAIT);
    String lease = FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease();

    Thread.currentThread().interrupt();
    try {
      held.close();
      assertTrue(Thread.currentThread().isInterrupted(), "close() swallowed the interrupt");
    } finally {
      Thread.interrupted();
    }

    assertEquals(lease, FakeHost.next(host.releases, TIMEOUT_SECONDS).getLease());
  }

  @Test
  void tryAcquire_whenFree_holdsIt() throws Exception {
    Optional<Locks.HeldLock> held = locks.tryAcquire("x");

    assertTrue(held.isPresent());
    assertTrue(FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getTryOnly());
  }

  @Test
  void tryAcquire_whenHeld_isEmpty() throws Exception {
    host.onAcquire = (request, responses) -> FakeHost.answer(responses, AcquireLockResponse.newBuilder().setAcquired(false).build());

    assertEquals(Optional.empty(), locks.tryAcquire("x"));
  }

  @Test
  void tryAcquire_failing_releasesTheLease_andSaysWhy() throws Exception {
    host.onAcquire = (request, responses) ->
        responses.onError(Status.INVALID_ARGUMENT.withDescription("a lock's name is 1 to 256 characters").asRuntimeException());

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.tryAcquire("x"));

    assertEquals(HostServiceException.Code.INVALID_ARGUMENT, e.code());
    assertEquals(FakeHost.next(host.acquires, TIMEOUT_SECONDS).request().getLease(), FakeHost.next(host.releases, TIMEOUT_SECONDS).getLease());
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
    host.onAcquire = (request, responses) ->
        responses.onError(Status.PERMISSION_DENIED.withDescription("plugin p was not granted \"locks\"").asRuntimeException(trailers));

    HostServiceException e = assertThrows(HostServiceException.class, () -> locks.acquire("x", WAIT));

    assertEquals(HostServiceException.Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of("locks"), e.missingGrant());
  }
}
