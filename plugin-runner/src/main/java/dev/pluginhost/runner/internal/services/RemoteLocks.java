package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.proto.runner.v1.HoldLockRequest;
import dev.pluginhost.proto.runner.v1.HoldLockResponse;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Named locks kept by the host. A lock is held for as long as one call to the host stays open:
 * giving up (timeout, interrupt), releasing, and this process dying all end that call, and the
 * host then withdraws the wait or releases the lock. No lease can outlive the call that holds it.
 */
final class RemoteLocks implements Locks {
  private final HostConnection host;
  private final GrantCheck grants;

  RemoteLocks(HostConnection host, GrantCheck grants) {
    this.host = host;
    this.grants = grants;
  }

  @Override
  public HeldLock acquire(String name, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout");
    Hold hold = start(name, false);
    try {
      if (hold.acquired.get(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS)) {
        return hold;
      }
      throw new IllegalStateException("the host answered a waiting acquire with 'not acquired'");
    } catch (TimeoutException e) {
      hold.close();
      throw new HostServiceException(
          HostServiceException.Code.DEADLINE_EXCEEDED,
          "lock '" + name + "' was not free within " + timeout.toMillis() + " ms");
    } catch (InterruptedException e) {
      hold.close();
      throw e;
    } catch (ExecutionException e) {
      hold.close();
      throw failure(e);
    }
  }

  @Override
  public Optional<HeldLock> tryAcquire(String name) {
    Hold hold = start(name, true);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          boolean held = hold.acquired.get(RemoteStore.TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
          if (!held) {
            hold.close();
          }
          return held ? Optional.of(hold) : Optional.empty();
        } catch (InterruptedException e) {
          // The answer is immediate; keep the interrupt for the caller.
          interrupted = true;
        } catch (TimeoutException e) {
          hold.close();
          throw new HostServiceException(
              HostServiceException.Code.DEADLINE_EXCEEDED,
              "the host did not answer within " + RemoteStore.TIMEOUT.toMillis() + " ms");
        } catch (ExecutionException e) {
          hold.close();
          throw failure(e);
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private Hold start(String name, boolean tryOnly) {
    Objects.requireNonNull(name, "name");
    grants.require("locks");
    Hold hold = new Hold(name);
    host.async().holdLock(HoldLockRequest.newBuilder().setName(name).setTryOnly(tryOnly).build(), hold);
    return hold;
  }

  private static RuntimeException failure(ExecutionException e) {
    return e.getCause() instanceof StatusRuntimeException
        ? HostConnection.translate((StatusRuntimeException) e.getCause())
        : new HostServiceException(HostServiceException.Code.INTERNAL, "the lock call failed: " + e.getCause());
  }

  /** One call holding (or waiting for) a lock; closing it ends the call. */
  private static final class Hold implements HeldLock, ClientResponseObserver<HoldLockRequest, HoldLockResponse> {
    private final String name;
    final CompletableFuture<Boolean> acquired = new CompletableFuture<>();
    private final AtomicReference<ClientCallStreamObserver<HoldLockRequest>> call = new AtomicReference<>();

    Hold(String name) {
      this.name = name;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<HoldLockRequest> requestStream) {
      call.set(requestStream);
    }

    @Override
    public void onNext(HoldLockResponse response) {
      acquired.complete(response.getAcquired());
    }

    @Override
    public void onError(Throwable t) {
      // Before the answer: the acquire fails. After it: the host let go (it is stopping, or this
      // process is), and with it the lock.
      acquired.completeExceptionally(t);
    }

    @Override
    public void onCompleted() {
      acquired.complete(false);
    }

    @Override
    public String name() {
      return name;
    }

    /** Ends the call: the host releases the lock, or withdraws the wait. Never blocks. */
    @Override
    public void close() {
      ClientCallStreamObserver<HoldLockRequest> current = call.getAndSet(null);
      if (current != null) {
        current.cancel("released", null);
      }
    }

    @Override
    public String toString() {
      return "HeldLock(" + name + ")";
    }
  }
}
