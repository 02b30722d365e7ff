package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The runner's channel to the host's services socket, opened on first use, presenting the spawn's
 * token on every call. Turns gRPC failures into the {@link HostServiceException}s plugins see.
 */
public final class HostConnection {
  private final String socketPath;
  private final byte[] token;
  private final EventLoopGroup eventLoops;
  private final int maxMessageBytes;
  private volatile HostServicesGrpc.HostServicesBlockingStub stub;
  private volatile HostServicesGrpc.HostServicesStub asyncStub;

  /**
   * @param socketPath the host's socket, or empty when the plugin holds no service grant
   */
  public HostConnection(String socketPath, byte[] token, EventLoopGroup eventLoops, int maxMessageBytes) {
    this.socketPath = socketPath;
    this.token = token.clone();
    this.eventLoops = eventLoops;
    this.maxMessageBytes = maxMessageBytes > 0 ? maxMessageBytes : 4 * 1024 * 1024;
  }

  /**
   * A blocking stub whose calls end by {@code timeout}.
   *
   * @throws IllegalStateException on the runner's I/O thread, where a NON_BLOCKING function runs:
   *     waiting there for the host would stall the thread that must read the host's answer
   */
  HostServicesGrpc.HostServicesBlockingStub blocking(Duration timeout) {
    refuseOnEventLoop();
    open();
    return stub.withDeadlineAfter(Math.max(1, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** An asynchronous stub with no deadline, for calls that last as long as the caller wants. */
  HostServicesGrpc.HostServicesStub async() {
    refuseOnEventLoop();
    open();
    return asyncStub;
  }

  private void refuseOnEventLoop() {
    for (io.grpc.netty.shaded.io.netty.util.concurrent.EventExecutor loop : eventLoops) {
      if (loop.inEventLoop()) {
        throw new IllegalStateException(
            "host services wait for the host, and a function declared NON_BLOCKING must not wait: register it"
                + " without that option to use them");
      }
    }
  }

  private void open() {
    if (stub != null) {
      return;
    }
    synchronized (this) {
      if (stub != null) {
        return;
      }
      if (socketPath.isEmpty()) {
        throw new IllegalStateException("the host serves no services to this plugin");
      }
      ManagedChannel opened =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(socketPath))
              .eventLoopGroup(eventLoops)
              .channelType(EpollDomainSocketChannel.class)
              .usePlaintext()
              .maxInboundMessageSize(maxMessageBytes)
              .build();
      Metadata headers = new Metadata();
      headers.put(WireProtocol.TOKEN_HEADER, WireProtocol.tokenHeaderValue(token));
      io.grpc.Channel authenticated =
          ClientInterceptors.intercept(opened, MetadataUtils.newAttachHeadersInterceptor(headers));
      asyncStub = HostServicesGrpc.newStub(authenticated);
      stub = HostServicesGrpc.newBlockingStub(authenticated);
    }
  }

  /** The exception a plugin sees for a failed host call. */
  static HostServiceException translate(StatusRuntimeException e) {
    Status status = e.getStatus();
    Metadata trailers = e.getTrailers();
    String grant = trailers == null ? null : trailers.get(WireProtocol.MISSING_GRANT_TRAILER);
    String description = status.getDescription() != null ? status.getDescription() : status.getCode().toString();
    if (status.getCode() == Status.Code.UNAVAILABLE && description.startsWith("io exception")) {
      description = "the host cannot be reached: " + description;
    }
    return new HostServiceException(HostServiceException.Code.valueOf(status.getCode().name()), description, grant);
  }

  /** Whether {@code e} ended a blocking call because the calling thread was interrupted. */
  static boolean interrupted(StatusRuntimeException e) {
    return e.getStatus().getCode() == Status.Code.CANCELLED && e.getCause() instanceof InterruptedException;
  }
}
