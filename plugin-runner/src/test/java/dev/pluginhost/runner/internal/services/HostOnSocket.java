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

/**
 * A {@link FakeHost} served on a Unix socket in {@code dir}, and the runner's {@link
 * HostConnection} to it, as the runner opens it: its own channel, the spawn's token on every call.
 */
final class HostOnSocket {
  final FakeHost host = new FakeHost();
  final byte[] token = new byte[32];
  final HostConnection connection;

  HostOnSocket(Path dir, Cleanup cleanup) throws IOException {
    new SecureRandom().nextBytes(token);
    EventLoopGroup eventLoops = cleanup.eventLoops(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()));
    Path socket = dir.resolve("h.sock");
    Server server = NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
        .channelType(EpollServerDomainSocketChannel.class)
        .bossEventLoopGroup(eventLoops)
        .workerEventLoopGroup(eventLoops)
        .executor(cleanup.executor(Executors.newCachedThreadPool()))
        .addService(host.withTokenRecorded())
        .build()
        .start();
    cleanup.server(server);
    connection = cleanup.closeable(new HostConnection(socket.toString(), token, eventLoops, 0));
  }
}
