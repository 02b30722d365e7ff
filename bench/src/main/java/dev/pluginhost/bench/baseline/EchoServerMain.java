package dev.pluginhost.bench.baseline;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The child JVM of the gRPC baseline: {@code EchoServerMain <socket> <direct|default>}. Serves an
 * {@link EchoServer} on the socket, prints {@value #READY} on stdout once it accepts calls, and
 * exits when its stdin reaches end of file (the parent closed it, or died). Exit code 0 then, 1 if
 * it could not serve, 2 for bad arguments.
 */
public final class EchoServerMain {
  /** The line the parent waits for. */
  public static final String READY = "ECHO-READY";

  // Held strongly: JUL forgets a logger's level when nothing references it. Every Unix-socket
  // channel warns that SO_KEEPALIVE does not apply.
  private static final Logger NETTY_BOOTSTRAP_LOGGER = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

  private EchoServerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      System.err.println("usage: EchoServerMain <socket> <direct|default>");
      System.exit(2);
    }
    NETTY_BOOTSTRAP_LOGGER.setLevel(Level.SEVERE);
    // The bench jar holds slf4j-simple, which Netty prefers to JUL.
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
    EchoServer server;
    try {
      server = EchoServer.start(Path.of(args[0]), ExecutorChoice.ofLabel(args[1]));
    } catch (IOException | RuntimeException e) {
      System.err.println("echo server: cannot serve on " + args[0] + ": " + e);
      System.exit(1);
      return;
    }
    System.out.println(READY);
    System.out.flush();
    InputStream in = System.in;
    byte[] buffer = new byte[256];
    try {
      while (in.read(buffer) >= 0) {
        // Nothing is ever sent; only the end matters.
      }
    } catch (IOException e) {
      // Treated as the end.
    }
    server.close();
    Runtime.getRuntime().halt(0);
  }
}
