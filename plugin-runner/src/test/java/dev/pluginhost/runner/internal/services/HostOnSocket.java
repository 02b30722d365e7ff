package dev.pluginhost.runner.internal.services;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A {@link FakeHost} served on a Unix socket in {@code dir}, and the runner's {@link
 * HostConnection} to it, as the runner opens it: its own channel on event loops of its own (the
 * plugin process's), the spawn's token on every call.
 */
final class HostOnSocket {
  final FakeHost host = new FakeHost();
  final byte[] token = new byte[32];
  final HostConnection connection;
  /** The plugin process's side: stopping these closes its connection as the process's end would. */
  private final EventLoopGroup processEventLoops;

  HostOnSocket(Path dir, Cleanup cleanup) throws IOException {
    new SecureRandom().nextBytes(token);
    EventLoopGroup hostEventLoops = cleanup.eventLoops(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()));
    Path socket = dir.resolve("h.sock");
    Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(hostEventLoops)
        .workerEventLoopGroup(hostEventLoops)
        .executor(cleanup.executor(Executors.newCachedThreadPool()))
        .addService(host.withTokenRecorded())
        .build()
        .start();
    cleanup.server(server);
    // HostConnection has no close (its channel lives as long as the process): its event loops end it.
    processEventLoops = cleanup.eventLoops(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()));
    connection = new HostConnection(socket.toString(), token, processEventLoops, 0);
  }

  /** Closes the plugin process's side of the socket, as its death would. */
  void processEnds() throws InterruptedException {
    if (!processEventLoops.shutdownGracefully(0, Cleanup.TIMEOUT_SECONDS, TimeUnit.SECONDS)
        .await(Cleanup.TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
      throw new AssertionError("the process's event loops did not stop");
    }
  }
}
