package dev.pluginhost.host.server;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits on the admin socket and lets through only connections from the server's own user or root,
 * as the kernel names the peer (SO_PEERCRED); any other is closed as soon as it is accepted,
 * before gRPC reads a byte. The socket file's 0600 mode says the same to the file system; this
 * holds even if the mode is loosened by mistake.
 */
final class SameUserGate extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(SameUserGate.class);

  private final int uid;

  private SameUserGate(int uid) {
    this.uid = uid;
  }

  /** A listening channel for the admin server with the gate in front of gRPC's acceptor. */
  static ServerChannel guardedServerChannel() {
    EpollServerDomainSocketChannel channel = new EpollServerDomainSocketChannel();
    channel.pipeline().addFirst("pluginhost-same-user", new SameUserGate(ownUid()));
    return channel;
  }

  /** This process's user id, as /proc says. */
  static int ownUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | UnsupportedOperationException e) {
      throw new IllegalStateException("cannot tell this process's user id from /proc/self", e);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel accepted = (Channel) msg;
    PeerCredentials peer = null;
    try {
      peer = ((EpollDomainSocketChannel) accepted).peerCredentials();
    } catch (IOException | ClassCastException e) {
      log.warn("admin socket: cannot read the credentials of a connection; closing it", e);
    }
    if (peer != null && (peer.uid() == uid || peer.uid() == 0)) {
      ctx.fireChannelRead(msg);
      return;
    }
    if (peer != null) {
      log.warn("admin socket: refused pid {} of uid {}: only uid {} (or root) may administer this host", peer.pid(), peer.uid(), uid);
    }
    accepted.unsafe().closeForcibly();
  }
}
