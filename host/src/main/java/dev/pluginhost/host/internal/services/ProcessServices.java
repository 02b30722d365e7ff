package dev.pluginhost.host.internal.services;

import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallExecutorSupplier;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.Executor;
import com.google.common.util.concurrent.MoreExecutors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host services of one plugin process: a gRPC server on a socket in the spawn's private
 * directory, open to that process alone (see {@link SpawnedClientGate}) presenting the spawn's
 * token. Closing it ends the server, cancels the process's requests in flight, and releases its
 * locks; the host closes it when the process dies.
 *
 * <p>What one process may ask at once is bounded, so no plugin can spend the host's memory or
 * threads: at most {@value #MAX_REQUESTS_IN_FLIGHT} requests in flight (held locks included), at
 * most {@value #MAX_LARGE_IN_FLIGHT} of them calls to other plugins or the application's services,
 * each request no larger than its kind needs (see {@link RequestLimits}), and at most {@value
 * SpawnedClientGate#MAX_CONNECTIONS} connections.
 */
public final class ProcessServices implements AutoCloseable {
  static final int MAX_REQUESTS_IN_FLIGHT = 256;
  static final int MAX_LARGE_IN_FLIGHT = 16;
  /**
   * Requests whose handlers only hand work on (a lock wait, a call, a service request), handled on
   * the I/O thread that read them, saving a thread hop each way; the rest (the store's disk writes,
   * the log's appenders) run on the hub's threads.
   */
  private static final Set<String> ON_IO_THREAD =
      Set.of(
          HostServicesGrpc.getHoldLockMethod().getFullMethodName(),
          HostServicesGrpc.getCallPluginMethod().getFullMethodName(),
          HostServicesGrpc.getMapPluginMethod().getFullMethodName(),
          HostServicesGrpc.getCallServiceMethod().getFullMethodName());
  private static final Set<String> LARGE =
      Set.of(
          HostServicesGrpc.getCallPluginMethod().getFullMethodName(),
          HostServicesGrpc.getMapPluginMethod().getFullMethodName(),
          HostServicesGrpc.getCallServiceMethod().getFullMethodName());

  private final HostServiceHub hub;
  private final ServiceCaller caller;
  private final Server server;
  /** Stands for this process in its plugin's lock table. */
  private final Object owner;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ProcessServices(HostServiceHub hub, ServiceCaller caller, Server server, Object owner) {
    this.hub = hub;
    this.caller = caller;
    this.server = server;
    this.owner = owner;
  }

  /**
   * Binds {@code socket} and serves the host services to {@code caller}'s process.
   *
   * @throws IOException if the socket cannot be bound
   */
  public static ProcessServices open(
      HostServiceHub hub, ServiceCaller caller, Path socket, byte[] token, EventLoopGroup eventLoops, int maxMessageBytes)
      throws IOException {
    Object owner = new Object();
    HostServicesEndpoint endpoint = new HostServicesEndpoint(hub, caller, owner);
    Server server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelFactory(() -> SpawnedClientGate.guardedServerChannel(caller.pluginId(), caller.pid()))
            .bossEventLoopGroup(eventLoops)
            .workerEventLoopGroup(eventLoops)
            .executor(hub.requests())
            .callExecutor(
                new ServerCallExecutorSupplier() {
                  @Override
                  public <Q, R> Executor getExecutor(ServerCall<Q, R> call, Metadata headers) {
                    return ON_IO_THREAD.contains(call.getMethodDescriptor().getFullMethodName())
                        ? MoreExecutors.directExecutor()
                        : null;
                  }
                })
            .maxInboundMessageSize(maxMessageBytes)
            .maxInboundMetadataSize(8 * 1024)
            .maxConcurrentCallsPerConnection(MAX_REQUESTS_IN_FLIGHT)
            .maxConnectionIdle(5, TimeUnit.MINUTES)
            // The last interceptor runs first: the token is checked before anything is counted.
            .addService(
                ServerInterceptors.intercept(
                    RequestLimits.apply(endpoint.bindService(), maxMessageBytes),
                    new InFlightLimit(caller.pluginId()),
                    new TokenCheck(token)))
            .build()
            .start();
    ProcessServices services = new ProcessServices(hub, caller, server, owner);
    hub.opened(services);
    return services;
  }

  /** Stops serving, cancels the process's requests and hands its locks to their next waiters. Idempotent. */
  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      server.shutdownNow();
      hub.locks(caller.pluginId()).releaseAll(owner);
      hub.closed(this);
    }
  }

  /** Refuses every request that does not carry the spawn's token. */
  private static final class TokenCheck implements ServerInterceptor {
    private final byte[] token;

    TokenCheck(byte[] token) {
      this.token = token.clone();
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (!WireProtocol.presentsToken(headers, token)) {
        call.close(Status.UNAUTHENTICATED.withDescription("these host services serve only the process they were made for"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  /** Refuses requests past the process's limits with RESOURCE_EXHAUSTED. */
  private static final class InFlightLimit implements ServerInterceptor {
    private final String pluginId;
    private final AtomicInteger all = new AtomicInteger();
    private final AtomicInteger large = new AtomicInteger();

    InFlightLimit(String pluginId) {
      this.pluginId = pluginId;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      boolean isLarge = LARGE.contains(call.getMethodDescriptor().getFullMethodName());
      if (!take(all, MAX_REQUESTS_IN_FLIGHT)) {
        return refuse(call, MAX_REQUESTS_IN_FLIGHT + " host-service requests in flight (held locks included)");
      }
      if (isLarge && !take(large, MAX_LARGE_IN_FLIGHT)) {
        all.decrementAndGet();
        return refuse(call, MAX_LARGE_IN_FLIGHT + " calls to other plugins or the application's services in flight");
      }
      AtomicBoolean done = new AtomicBoolean();
      Runnable release = () -> {
        if (done.compareAndSet(false, true)) {
          all.decrementAndGet();
          if (isLarge) {
            large.decrementAndGet();
          }
        }
      };
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onComplete() {
          release.run();
          super.onComplete();
        }

        @Override
        public void onCancel() {
          release.run();
          super.onCancel();
        }
      };
    }

    private static boolean take(AtomicInteger count, int limit) {
      if (count.incrementAndGet() > limit) {
        count.decrementAndGet();
        return false;
      }
      return true;
    }

    private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String what) {
      call.close(
          Status.RESOURCE_EXHAUSTED.withDescription("plugin " + pluginId + " has " + what + ", its limit"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
  }
}
