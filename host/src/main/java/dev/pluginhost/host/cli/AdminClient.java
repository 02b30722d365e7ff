package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.PluginAdminGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** A connection to a running server's admin API. Close it when done. */
final class AdminClient implements AutoCloseable {
  private final String target;
  private final ManagedChannel channel;
  private final EventLoopGroup eventLoops;
  private final PluginAdminGrpc.PluginAdminBlockingStub blocking;
  private final PluginAdminGrpc.PluginAdminStub async;

  private AdminClient(String target, ManagedChannel channel, EventLoopGroup eventLoops, Metadata headers) {
    this.target = target;
    this.channel = channel;
    this.eventLoops = eventLoops;
    PluginAdminGrpc.PluginAdminBlockingStub b = PluginAdminGrpc.newBlockingStub(channel);
    PluginAdminGrpc.PluginAdminStub a = PluginAdminGrpc.newStub(channel);
    if (headers != null) {
      b = b.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
      a = a.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    this.blocking = b;
    this.async = a;
  }

  /**
   * Connects (lazily) to the admin API {@code options} name.
   *
   * @throws ServerNotRunningException if no server can be there: no socket file, or no token file
   *     for a TCP target
   */
  static AdminClient open(AdminOptions options) {
    String target = options.target();
    EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    if (target.startsWith("tcp://")) {
      URI uri = URI.create(target);
      if (uri.getHost() == null || uri.getPort() <= 0) {
        eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new IllegalArgumentException("--admin " + target + " is not of the form tcp://127.0.0.1:PORT");
      }
      String token;
      try {
        token = Files.readString(options.tokenFile(), StandardCharsets.US_ASCII).trim();
      } catch (IOException e) {
        eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        throw new ServerNotRunningException(
            "cannot read the admin token from " + options.tokenFile() + " (" + e.getMessage() + "); pass --token-file");
      }
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
      ManagedChannel channel =
          NettyChannelBuilder.forAddress(uri.getHost(), uri.getPort())
              .eventLoopGroup(eventLoops)
              .channelType(EpollSocketChannel.class)
              .usePlaintext()
              .build();
      return new AdminClient(target, channel, eventLoops, headers);
    }
    Path socket = Path.of(target).toAbsolutePath();
    if (!Files.exists(socket)) {
      eventLoops.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new ServerNotRunningException(notRunning(socket.toString()));
    }
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoops)
            .channelType(EpollDomainSocketChannel.class)
            .usePlaintext()
            .build();
    return new AdminClient(socket.toString(), channel, eventLoops, null);
  }

  private static String notRunning(String where) {
    return "no server is running at " + where + " (start one with `pluginhost serve`, or say where it is with --admin)";
  }

  PluginAdminGrpc.PluginAdminBlockingStub blocking(java.time.Duration timeout) {
    return blocking.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  PluginAdminGrpc.PluginAdminStub async() {
    return async;
  }

  /** A blocking stub with no deadline, for streams that run until the operator stops them. */
  PluginAdminGrpc.PluginAdminBlockingStub unbounded() {
    return blocking;
  }

  /** The error to show for a failed call: a server that is not there says so plainly. */
  String describe(StatusRuntimeException e) {
    Status status = e.getStatus();
    if (status.getCode() == Status.Code.UNAVAILABLE && status.getCause() instanceof IOException) {
      return notRunning(target);
    }
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED && status.getDescription() != null
        && status.getDescription().contains("waiting_for_connection")) {
      return notRunning(target);
    }
    String description = status.getDescription() == null ? "(no description)" : status.getDescription();
    // A plugin's own error already starts with its code.
    return description.startsWith(status.getCode() + ": ") ? description : status.getCode() + ": " + description;
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }

  /** No server can be reached where the options point. */
  static final class ServerNotRunningException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    ServerNotRunningException(String message) {
      super(message);
    }
  }
}
