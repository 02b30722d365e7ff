package dev.pluginhost.it.patterns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP server on 127.0.0.1 for the pattern tests (the JDK's own, on a port of its choosing),
 * serving what each test registers: bodies, error statuses, answers that never come in time, and
 * an endless body that reports when its client went away. Handlers run on threads of their own,
 * so a stalled one never holds up the rest. Close it last: it releases what is still stalled.
 */
final class LoopbackWebServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final CountDownLatch closing = new CountDownLatch(1);
  /** Sockets that keep the ports of {@link #refusedUrl()} bound, closed with the server. */
  private final List<Socket> portHolders = new CopyOnWriteArrayList<>();

  private LoopbackWebServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  static LoopbackWebServer start() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    ExecutorService executor =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "loopback-web-server");
              thread.setDaemon(true);
              return thread;
            });
    server.setExecutor(executor);
    server.start();
    return new LoopbackWebServer(server, executor);
  }

  /** The URL of {@code path} on this server. */
  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  /**
   * A URL on 127.0.0.1 where nothing listens, so a connection is refused. A socket of this server
   * stays bound to the port without listening until the server closes: no other process can take
   * the port meanwhile (it has no SO_REUSEADDR, so not even a server that sets it can bind there).
   */
  String refusedUrl() throws IOException {
    Socket holder = new Socket();
    try {
      holder.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (IOException e) {
      holder.close();
      throw e;
    }
    portHolders.add(holder);
    return "http://127.0.0.1:" + holder.getLocalPort() + "/";
  }

  /** {@code n} bytes that are the same on every run (a seeded random), so a digest can be compared. */
  static byte[] bytes(int n, long seed) {
    byte[] body = new byte[n];
    new Random(seed).nextBytes(body);
    return body;
  }

  /** Serves {@code body} with status 200 and its length. */
  LoopbackWebServer ok(String path, byte[] body) {
    server.createContext(path, exchange -> answer(exchange, 200, body));
    return this;
  }

  /** Answers {@code status} with a short text body. */
  LoopbackWebServer status(String path, int status) {
    server.createContext(path, exchange -> answer(exchange, status, ("status " + status).getBytes()));
    return this;
  }

  /** Answers nothing until this server closes: longer than any client's timeout in the tests. */
  LoopbackWebServer stalled(String path) {
    server.createContext(
        path,
        exchange -> {
          try {
            closing.await(5, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(exchange, 200, "late".getBytes());
        });
    return this;
  }

  /**
   * Streams a body without end, as fast as the client reads it. The returned future completes
   * with the bytes written once the client has gone away (a write failed: the connection was
   * closed or reset), and never while the client keeps the connection open, reading or not.
   */
  CompletableFuture<Long> endless(String path) {
    CompletableFuture<Long> clientGone = new CompletableFuture<>();
    server.createContext(
        path,
        exchange -> {
          long written = 0;
          byte[] chunk = bytes(16 * 1024, 7);
          try {
            exchange.sendResponseHeaders(200, 0);
            OutputStream body = exchange.getResponseBody();
            while (closing.getCount() > 0) {
              body.write(chunk);
              body.flush();
              written += chunk.length;
            }
            clientGone.completeExceptionally(new IllegalStateException("the server closed with the client still reading"));
          } catch (IOException e) {
            clientGone.complete(written);
          } finally {
            exchange.close();
          }
        });
    return clientGone;
  }

  private static void answer(HttpExchange exchange, int status, byte[] body) throws IOException {
    try {
      exchange.sendResponseHeaders(status, body.length);
      exchange.getResponseBody().write(body);
    } finally {
      exchange.close();
    }
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    executor.shutdownNow();
    for (Socket holder : portHolders) {
      try {
        holder.close();
      } catch (IOException e) {
        // Nothing was sent on it; the port is free either way.
      }
    }
  }
}
