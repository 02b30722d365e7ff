package dev.pluginhost.host.internal.services;

import dev.pluginhost.host.internal.ProcessAncestry;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on a plugin process's services socket and lets through only connections from that process
 * or its descendants (inside the sandbox the JVM is a child of the process the host spawned), as
 * the kernel names the peer (SO_PEERCRED). Any other process, another plugin included, is closed
 * the moment it is accepted, before gRPC reads a byte; the spawn's token is the second defence.
 */
final class SpawnedClientGate extends ChannelInboundHandlerAdapter {
  /** Connections the process may hold open at once: each costs the host a file descriptor. */
  static final int MAX_CONNECTIONS = 4;
  private static final Logger log = LoggerFactory.getLogger(SpawnedClientGate.class);
  private static final long WARN_INTERVAL_NANOS = java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
  private final String pluginId;
  private final LongSupplier spawnedPid;
  private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong lastWarning = new java.util.concurrent.atomic.AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);
  private final java.util.concurrent.atomic.AtomicLong refusedSinceWarning = new java.util.concurrent.atomic.AtomicLong();

  private SpawnedClientGate(String pluginId, LongSupplier spawnedPid) {
    this.pluginId = pluginId;
    this.spawnedPid = spawnedPid;
  }

  /** A listening channel with the gate in front of gRPC's acceptor. */
  static ServerChannel guardedServerChannel(String pluginId, LongSupplier spawnedPid) {
    EpollServerDomainSocketChannel channel = new EpollServerDomainSocketChannel();
    channel.pipeline().addFirst("pluginhost-spawned-only", new SpawnedClientGate(pluginId, spawnedPid));
    return channel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel accepted = (Channel) msg;
    String refusal = refusal(accepted);
    if (refusal == null && connections.incrementAndGet() > MAX_CONNECTIONS) {
      connections.decrementAndGet();
      refusal = "the plugin's process already holds " + MAX_CONNECTIONS + " connections to it";
    } else if (refusal == null) {
      accepted.closeFuture().addListener(closed -> connections.decrementAndGet());
      ctx.fireChannelRead(msg);
      return;
    }
    warnNowAndThen(refusal);
    accepted.unsafe().closeForcibly();
  }

  /** At most one warning a minute: refusals are cheap to cause, and the host's log is shared. */
  private void warnNowAndThen(String refusal) {
    long refused = refusedSinceWarning.incrementAndGet();
    long now = System.nanoTime();
    long last = lastWarning.get();
    if (now - last >= WARN_INTERVAL_NANOS && lastWarning.compareAndSet(last, now)) {
      refusedSinceWarning.addAndGet(-refused);
      log.warn("plugin {}: refused {} connection(s) to its services socket; the latest: {}", pluginId, refused, refusal);
    }
  }

  private String refusal(Channel accepted) {
    if (!(accepted instanceof EpollDomainSocketChannel)) {
      return "not a Unix domain socket: " + accepted;
    }
    PeerCredentials peer;
    try {
      peer = ((EpollDomainSocketChannel) accepted).peerCredentials();
    } catch (IOException e) {
      return "its peer's credentials could not be read (" + e.getMessage() + ")";
    }
    long spawned = spawnedPid.getAsLong();
    if (!ProcessAncestry.isSelfOrDescendant(peer.pid(), spawned)) {
      return "the peer is pid " + peer.pid() + " (uid " + peer.uid() + "), not the plugin's process (pid " + spawned
          + ") or one of its descendants";
    }
    return null;
  }
}
