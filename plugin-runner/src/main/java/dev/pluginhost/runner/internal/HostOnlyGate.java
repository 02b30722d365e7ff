package dev.pluginhost.runner.internal;

import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.PeerCredentials;
import java.io.IOException;
import java.io.PrintStream;

/**
 * Sits on the runner's listening socket and lets through only connections from the host, as the
 * kernel names their peer (SO_PEERCRED); any other connection is closed the moment it is
 * accepted, before gRPC reads a byte of it. Another plugin that reaches this socket (without the
 * sandbox, as the same user) therefore cannot even speak HTTP/2 to this runner; the spawn's token
 * is the second line of defence.
 *
 * <p>The host's pid is given by the host itself: its own pid when the runner shares its PID
 * namespace, or 0 when the runner is sandboxed in one of its own, where the kernel reports 0 for
 * every peer outside the namespace.
 */
final class HostOnlyGate extends ChannelInboundHandlerAdapter {
  private final long hostPid;
  private final PrintStream diagnostics;

  private HostOnlyGate(long hostPid, PrintStream diagnostics) {
    this.hostPid = hostPid;
    this.diagnostics = diagnostics;
  }

  /** A listening channel for the runner's server with the gate in front of gRPC's acceptor. */
  static ServerChannel guardedServerChannel(long hostPid, PrintStream diagnostics) {
    EpollServerDomainSocketChannel channel = new EpollServerDomainSocketChannel();
    // First in the pipeline: the server bootstrap adds its acceptor after it, on registration.
    channel.pipeline().addFirst("pluginhost-host-only", new HostOnlyGate(hostPid, diagnostics));
    return channel;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel accepted = (Channel) msg;
    String refusal = refusal(accepted);
    if (refusal == null) {
      ctx.fireChannelRead(msg);
      return;
    }
    diagnostics.println("pluginhost-runner: refused a connection to its socket: " + refusal);
    // Not registered yet: close the descriptor without any pipeline events.
    accepted.unsafe().closeForcibly();
  }

  /** Why {@code accepted} may not connect, or null if it is the host. */
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
    if (peer.pid() != hostPid) {
      return "the peer is pid " + peer.pid() + " (uid " + peer.uid() + "), not the host (pid " + hostPid + ")";
    }
    return null;
  }
}
