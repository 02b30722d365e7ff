package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.proto.runner.v1.AcquireLockRequest;
import dev.pluginhost.proto.runner.v1.ReleaseLockRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Named locks kept by the host. Each acquisition carries a lease id chosen here, so an acquisition
 * that fails on this side (deadline, interrupt) after the host granted it can still be released.
 */
final class RemoteLocks implements Locks {
  private static final Duration RELEASE_TIMEOUT = Duration.ofSeconds(5);
  private final HostConnection host;
  private final GrantCheck grants;

  RemoteLocks(HostConnection host, GrantCheck grants) {
    this.host = host;
    this.grants = grants;
  }

  @Override
  public HeldLock acquire(String name, Duration timeout) throws InterruptedException {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(timeout, "timeout");
    grants.require("locks");
    String lease = UUID.randomUUID().toString();
    try {
      host.blocking(timeout).acquireLock(AcquireLockRequest.newBuilder().setName(name).setLease(lease).build());
      return new Lease(name, lease);
    } catch (StatusRuntimeException e) {
      // The host may have granted the lease just as this side gave up: hand it back.
      boolean interrupted = releaseAfterFailure(name, lease);
      if (interrupted && HostConnection.interrupted(e)) {
        throw new InterruptedException("interrupted while waiting for lock '" + name + "'");
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      if (e.getStatus().getCode() == io.grpc.Status.Code.DEADLINE_EXCEEDED) {
        throw new HostServiceException(
            HostServiceException.Code.DEADLINE_EXCEEDED,
            "lock '" + name + "' was not free within " + timeout.toMillis() + " ms");
      }
      throw HostConnection.translate(e);
    }
  }

  @Override
  public Optional<HeldLock> tryAcquire(String name) {
    Objects.requireNonNull(name, "name");
    grants.require("locks");
    String lease = UUID.randomUUID().toString();
    try {
      boolean acquired =
          host.blocking(RemoteStore.TIMEOUT)
              .acquireLock(AcquireLockRequest.newBuilder().setName(name).setLease(lease).setTryOnly(true).build())
              .getAcquired();
      return acquired ? Optional.of(new Lease(name, lease)) : Optional.empty();
    } catch (StatusRuntimeException e) {
      if (releaseAfterFailure(name, lease)) {
        Thread.currentThread().interrupt();
      }
      throw HostConnection.translate(e);
    }
  }

  /**
   * Releases a lease whose acquisition failed, with the thread's interrupt flag cleared for the
   * call: a blocking call on an interrupted thread is cancelled before it reaches the host, and
   * an interrupted wait is exactly when the host may have granted the lease. Returns whether the
   * flag was set; the caller decides whether to set it again.
   */
  private boolean releaseAfterFailure(String name, String lease) {
    boolean interrupted = Thread.interrupted();
    release(name, lease);
    return interrupted;
  }

  private void release(String name, String lease) {
    try {
      host.blocking(RELEASE_TIMEOUT).releaseLock(ReleaseLockRequest.newBuilder().setName(name).setLease(lease).build());
    } catch (StatusRuntimeException | IllegalStateException e) {
      // The host releases every lease of this process when the process ends.
    }
  }

  private final class Lease implements HeldLock {
    private final String name;
    private final String lease;
    private final AtomicBoolean released = new AtomicBoolean();

    Lease(String name, String lease) {
      this.name = name;
      this.lease = lease;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public void close() {
      if (released.compareAndSet(false, true)) {
        boolean interrupted = Thread.interrupted();
        try {
          release(name, lease);
        } finally {
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
      }
    }

    @Override
    public String toString() {
      return "HeldLock(" + name + ")";
    }
  }
}
