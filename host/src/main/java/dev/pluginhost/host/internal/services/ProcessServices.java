package dev.pluginhost.host.internal.services;

import dev.pluginhost.proto.WireProtocol;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The host services of one plugin process: a gRPC server on a socket in the spawn's private
 * directory, open to that process alone (see {@link SpawnedClientGate}) presenting the spawn's
 * token. Closing it ends the server, cancels the process's requests in flight, and releases its
 * locks; the host closes it when the process dies.
 */
public final class ProcessServices implements AutoCloseable {
  /** Requests of one process in flight at once, of every kind: a plugin cannot pile up waits without end. */
  static final int MAX_REQUESTS_IN_FLIGHT = 256;

  private final HostServiceHub hub;
  private final ServiceCaller caller;
  private final Server server;
  /** Stands for this process in its plugin's lock table. */
  private final Object owner;

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
            .maxInboundMessageSize(maxMessageBytes)
            .addService(ServerInterceptors.intercept(endpoint, new TokenCheck(token), new InFlightLimit(caller.pluginId())))
            .build()
            .start();
    return new ProcessServices(hub, caller, server, owner);
  }

  /** Stops serving, cancels the process's requests and hands its locks to their next waiters. */
  @Override
  public void close() {
    server.shutdownNow();
    hub.locks(caller.pluginId()).releaseAll(owner);
  }

  /** Refuses every request that does not carry the spawn's token. */
  private static final class TokenCheck implements ServerInterceptor {
    private final byte[] expected;

    TokenCheck(byte[] token) {
      this.expected = WireProtocol.tokenHeaderValue(token).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      String presented = headers.get(WireProtocol.TOKEN_HEADER);
      if (presented == null
          || !WireProtocol.constantTimeEquals(expected, presented.getBytes(StandardCharsets.US_ASCII))) {
        call.close(Status.UNAUTHENTICATED.withDescription("these host services serve only the process they were made for"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }

  /** Refuses requests past {@link #MAX_REQUESTS_IN_FLIGHT} with RESOURCE_EXHAUSTED. */
  private static final class InFlightLimit implements ServerInterceptor {
    private final String pluginId;
    private final AtomicInteger count = new AtomicInteger();

    InFlightLimit(String pluginId) {
      this.pluginId = pluginId;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      if (count.incrementAndGet() > MAX_REQUESTS_IN_FLIGHT) {
        count.decrementAndGet();
        call.close(
            Status.RESOURCE_EXHAUSTED.withDescription(
                "plugin " + pluginId + " has " + MAX_REQUESTS_IN_FLIGHT + " host-service requests in flight, its limit"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      AtomicInteger once = new AtomicInteger();
      Runnable done = () -> {
        if (once.getAndIncrement() == 0) {
          count.decrementAndGet();
        }
      };
      return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onComplete() {
          done.run();
          super.onComplete();
        }

        @Override
        public void onCancel() {
          done.run();
          super.onCancel();
        }
      };
    }
  }
}
