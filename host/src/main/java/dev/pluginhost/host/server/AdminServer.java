package dev.pluginhost.host.server;

import com.google.common.io.BaseEncoding;
import io.grpc.BindableService;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Serves the admin API on a Unix socket that only the server's user (or root) may use, and, when
 * configured, on a loopback TCP port to callers holding the admin token.
 *
 * <p>One-shot: {@link #start()} once, then {@link #shutdown()} (stop taking calls) and
 * {@link #shutdownNow(long, TimeUnit)} (end the calls still open, such as followed logs).
 */
final class AdminServer {
  /** The header TCP callers put the token in: {@code authorization: Bearer <token>}. */
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The largest request: a plugin jar being installed. */
  static final int MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

  private final Path socket;
  private final int tcpPort;
  private final Path tokenFile;
  private final BindableService service;
  private final List<Server> servers = new ArrayList<>();
  private EventLoopGroup eventLoops;
  private int boundTcpPort;

  AdminServer(Path socket, int tcpPort, Path tokenFile, BindableService service) {
    this.socket = socket;
    this.tcpPort = tcpPort;
    this.tokenFile = tokenFile;
    this.service = service;
  }

  /**
   * Binds the socket (and the TCP port). A socket file left by a server that died is replaced;
   * one a live server answers on is not.
   *
   * @throws IOException if another server is using the socket, or binding fails
   */
  void start() throws IOException {
    Files.createDirectories(socket.getParent());
    checkNotServed(socket);
    if (Files.exists(socket)) {
      Files.delete(socket);
    }
    eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    Server unix =
        NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelFactory(SameUserGate::guardedServerChannel)
            .bossEventLoopGroup(eventLoops)
            .workerEventLoopGroup(eventLoops)
            .maxInboundMessageSize(MAX_UPLOAD_BYTES)
            .addService(service)
            .build()
            .start();
    servers.add(unix);
    Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-------"));
    if (tcpPort > 0) {
      String token = newToken();
      writeToken(token);
      Server tcp =
          NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort))
              .channelType(EpollServerSocketChannel.class)
              .bossEventLoopGroup(eventLoops)
              .workerEventLoopGroup(eventLoops)
              .maxInboundMessageSize(MAX_UPLOAD_BYTES)
              .addService(ServerInterceptors.intercept(service, new TokenCheck(token)))
              .build()
              .start();
      servers.add(tcp);
      boundTcpPort = tcp.getPort();
    }
  }

  /**
   * Checks that no live server answers on {@code socket}; a socket file nobody answers on is fine.
   *
   * @throws IOException naming the socket, if another server is serving there
   */
  static void checkNotServed(Path socket) throws IOException {
    if (Files.exists(socket) && answers(socket)) {
      throw new IOException("another server is already serving its admin API on " + socket);
    }
  }

  /** The TCP port bound, or 0 when there is none. */
  int tcpPort() {
    return boundTcpPort;
  }

  /** Stops taking new calls; calls under way go on. */
  void shutdown() {
    servers.forEach(Server::shutdown);
  }

  /** Ends every call still open and releases the socket, waiting at most {@code timeout}. */
  void shutdownNow(long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    for (Server server : servers) {
      server.shutdownNow();
      server.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }
    if (eventLoops != null) {
      eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    try {
      Files.deleteIfExists(socket);
      if (tcpPort > 0) {
        Files.deleteIfExists(tokenFile);
      }
    } catch (IOException e) {
      // Left behind; the next server replaces a socket nobody answers on.
    }
  }

  /** Whether something accepts connections on {@code socket}. */
  private static boolean answers(Path socket) {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return BaseEncoding.base16().lowerCase().encode(bytes);
  }

  /** Writes the token to a file only the server's user can read, created so from the start. */
  private void writeToken(String token) throws IOException {
    Files.createDirectories(tokenFile.getParent());
    Files.deleteIfExists(tokenFile);
    Files.createFile(tokenFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tokenFile, token + "\n", StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING);
  }

  /** Lets a TCP call through only with the admin token. */
  private static final class TokenCheck implements ServerInterceptor {
    private final byte[] expected;

    TokenCheck(String token) {
      this.expected = ("Bearer " + token).getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
        ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
      String presented = headers.get(AUTHORIZATION);
      if (presented == null
          || !MessageDigest.isEqual(expected, presented.getBytes(StandardCharsets.US_ASCII))) {
        call.close(
            Status.UNAUTHENTICATED.withDescription(
                "the admin API over TCP needs the server's admin token (authorization: Bearer <token>)"),
            new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return next.startCall(call, headers);
    }
  }
}
