package dev.pluginhost.host.internal.runtime;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.PeerCredentials;
import dev.pluginhost.host.internal.ProcessAncestry;
import java.io.IOException;

/**
 * Lets the host's connection to a runner's socket become active only if the process listening on
 * it is the one the host spawned, or a descendant of it (inside the sandbox the JVM is a child of
 * the process the host started), as the kernel names the peer (SO_PEERCRED). Anything else that
 * got to bind the socket path first is refused before a byte is sent to it: the connection fails
 * with a {@link PeerMismatchException} saying which process was found.
 */
final class SpawnedPeerCheck extends ChannelInboundHandlerAdapter {
  private final long spawnedPid;

  private SpawnedPeerCheck(long spawnedPid) {
    this.spawnedPid = spawnedPid;
  }

  /** A new client channel for a runner's socket, checked against {@code spawnedPid}. */
  static Channel newCheckedChannel(long spawnedPid) {
    EpollDomainSocketChannel channel = new EpollDomainSocketChannel();
    // First in the pipeline, ahead of gRPC's handlers, which see channelActive only if it passes.
    channel.pipeline().addFirst("pluginhost-spawned-peer", new SpawnedPeerCheck(spawnedPid));
    return channel;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) throws Exception {
    String mismatch = mismatch((EpollDomainSocketChannel) ctx.channel());
    if (mismatch == null) {
      ctx.fireChannelActive();
      return;
    }
    ctx.fireExceptionCaught(new PeerMismatchException(mismatch));
    ctx.close();
  }

  private String mismatch(EpollDomainSocketChannel channel) {
    PeerCredentials peer;
    try {
      peer = channel.peerCredentials();
    } catch (IOException e) {
      return "the credentials of the process on the plugin's socket could not be read: " + e.getMessage();
    }
    if (ProcessAncestry.isSelfOrDescendant(peer.pid(), spawnedPid)) {
      return null;
    }
    return "the process listening on the plugin's socket is pid " + peer.pid() + " (uid " + peer.uid()
        + "), not the spawned process (pid " + spawnedPid + ") or one of its descendants; refusing it";
  }

  /** The process on a runner's socket is not the one the host spawned. */
  static final class PeerMismatchException extends IOException {
    private static final long serialVersionUID = 1L;

    PeerMismatchException(String message) {
      super(message);
    }
  }
}
