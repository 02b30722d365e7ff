package dev.pluginhost.host.internal.runtime;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.HandshakeRequest;
import dev.pluginhost.proto.runner.v1.HandshakeResponse;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The host's connection to one runner: a channel on its Unix socket that presents the spawn's
 * token on every call, and the handshake that checks the runner before anything else is sent.
 */
public final class RunnerClient implements AutoCloseable {
  // Held strongly: JUL forgets a logger's level when nothing references the logger.
  private static final Logger NETTY_BOOTSTRAP_LOGGER =
      Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

  static {
    // Every Unix-socket channel warns that SO_KEEPALIVE does not apply; it is noise.
    NETTY_BOOTSTRAP_LOGGER.setLevel(Level.SEVERE);
  }

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ManagedChannel channel;
  private final Channel authenticated;
  private final Channel unauthenticated;
  private final byte[] token;

  private RunnerClient(ManagedChannel channel, byte[] token) {
    this.channel = channel;
    this.token = token.clone();
    this.unauthenticated = channel;
    Metadata headers = new Metadata();
    headers.put(WireProtocol.TOKEN_HEADER, WireProtocol.tokenHeaderValue(token));
    this.authenticated =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /**
   * Opens a channel to the runner's socket, which only the process {@code spawnedPid} or one of
   * its descendants may serve. Connects lazily, on the first call.
   */
  public static RunnerClient connect(Path socket, byte[] token, long spawnedPid, EventLoopGroup eventLoops) {
    return connect(socket, token, spawnedPid, eventLoops, 4 * 1024 * 1024);
  }

  /**
   * Opens a channel to the runner's socket that accepts responses of up to {@code maxMessageBytes}
   * (a larger one fails its call with RESOURCE_EXHAUSTED). Every connection is first checked to
   * lead to the process {@code spawnedPid} or one of its descendants (see {@link SpawnedPeerCheck});
   * one that does not fails its calls with UNAVAILABLE and a {@link
   * SpawnedPeerCheck.PeerMismatchException} as the cause. Connects lazily, on the first call.
   */
  public static RunnerClient connect(
      Path socket, byte[] token, long spawnedPid, EventLoopGroup eventLoops, int maxMessageBytes) {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .eventLoopGroup(eventLoops)
            .channelFactory(() -> SpawnedPeerCheck.newCheckedChannel(spawnedPid))
            .usePlaintext()
            .maxInboundMessageSize(maxMessageBytes)
            // Responses are handled on the event loop, saving a thread hop per call: everything
            // the host does with them (completing futures, dispatching the next queued call,
            // buffering a pipe's frames) is short and never blocks.
            .directExecutor()
            .build();
    return new RunnerClient(channel, token);
  }

  /** Wraps a channel made elsewhere, such as an in-process one in tests. Closing closes it. */
  static RunnerClient forChannel(ManagedChannel channel, byte[] token) {
    return new RunnerClient(channel, token);
  }

  /** A fresh random token for one spawn. */
  public static byte[] newToken() {
    byte[] token = new byte[32];
    RANDOM.nextBytes(token);
    return token;
  }

  /**
   * Checks that the runner speaks {@code protocolVersion} and holds this spawn's token, sending it
   * only a random challenge. Fails with a {@link HandshakeException} saying which check failed.
   */
  public ListenableFuture<HandshakeResponse> handshake(int protocolVersion, Deadline deadline) {
    byte[] challenge = new byte[32];
    RANDOM.nextBytes(challenge);
    ListenableFuture<HandshakeResponse> call =
        PluginRunnerGrpc.newFutureStub(unauthenticated)
            .withDeadline(deadline)
            .handshake(
                HandshakeRequest.newBuilder()
                    .setProtocolVersion(protocolVersion)
                    .setChallenge(ByteString.copyFrom(challenge))
                    .build());
    return Futures.transform(
        call,
        response -> {
          if (response.getProtocolVersion() != protocolVersion) {
            throw new HandshakeException(
                WireProtocol.versionMismatch(protocolVersion, response.getProtocolVersion()));
          }
          byte[] expected = WireProtocol.proof(token, challenge);
          if (!WireProtocol.constantTimeEquals(expected, response.getProof().toByteArray())) {
            throw new HandshakeException(
                "the process on the plugin's socket could not prove it holds the spawn's token;"
                    + " refusing it");
          }
          return response;
        },
        MoreExecutors.directExecutor());
  }

  /** Stubs for every call after the handshake: they carry the token. */
  public PluginRunnerGrpc.PluginRunnerFutureStub futureStub() {
    return PluginRunnerGrpc.newFutureStub(authenticated);
  }

  public PluginRunnerGrpc.PluginRunnerStub asyncStub() {
    return PluginRunnerGrpc.newStub(authenticated);
  }


  /** Closes the channel now, failing any call still on it. */
  @Override
  public void close() {
    channel.shutdownNow();
  }


  /** The runner failed the handshake. */
  public static final class HandshakeException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public HandshakeException(String message) {
      super(message);
    }
  }
}
