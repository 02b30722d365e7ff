package dev.pluginhost.bench.baseline;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The {@link EchoProtocol} service on a Unix socket, built as the plugin runner builds its
 * server: grpc-netty-shaded, epoll, one event loop thread for accepting and serving, and the
 * default 4 MiB limit on an inbound message. Serving from {@link #start} until {@link #close}.
 */
public final class EchoServer implements AutoCloseable {
  private final EventLoopGroup eventLoops;
  private final Server server;

  private EchoServer(EventLoopGroup eventLoops, Server server) {
    this.eventLoops = eventLoops;
    this.server = server;
  }

  /**
   * Binds {@code socket}, which must not exist yet, and serves.
   *
   * @throws IOException if the socket cannot be bound
   */
  public static EchoServer start(Path socket, ExecutorChoice executors) throws IOException {
    EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(eventLoops)
              .workerEventLoopGroup(eventLoops)
              .addService(EchoProtocol.service());
      if (executors == ExecutorChoice.DIRECT) {
        builder.directExecutor();
      }
      return new EchoServer(eventLoops, builder.build().start());
    } catch (IOException | RuntimeException e) {
      eventLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  /**
   * Stops at once, failing calls in flight, and waits up to a second for the event loop to end
   * (a JVM waits for threads parked in epoll before it exits). Idempotent.
   */
  @Override
  public void close() throws InterruptedException {
    server.shutdownNow();
    server.awaitTermination(1, TimeUnit.SECONDS);
    eventLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(1, TimeUnit.SECONDS);
  }
}
