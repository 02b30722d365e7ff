package dev.pluginhost.it.patterns;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An HTTP server on 127.0.0.1 for the pattern tests (the JDK's own, on a port of its choosing),
 * serving what each test registers: bodies, error statuses, answers the test holds back until it
 * releases them, and an endless body that reports when its client went away. Handlers run on threads of their own,
 * so a stalled one never holds up the rest. Beside it: {@linkplain Stall stalls}, sockets served
 * by hand that tell when a client waiting on them hangs up, and {@linkplain #refusedUrl() ports
 * that refuse}. Close it last: it releases what is still stalled.
 */
final class LoopbackWebServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;
  private final CountDownLatch closing = new CountDownLatch(1);
  /** Sockets that keep the ports of {@link #refusedUrl()} bound, closed with the server. */
  private final List<Socket> portHolders = new CopyOnWriteArrayList<>();
  private final List<Stall> stalls = new CopyOnWriteArrayList<>();
  private final List<Held> helds = new CopyOnWriteArrayList<>();

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

  /**
   * Holds every request to {@code path} until the test {@linkplain Held#release() releases} it (or
   * this server closes), then answers 200 with {@code body}; once released, answers at once.
   */
  Held held(String path, byte[] body) {
    Held held = new Held();
    helds.add(held);
    if (closing.getCount() == 0) {
      held.release();
    }
    server.createContext(
        path,
        exchange -> {
          held.arrived();
          try {
            held.released.await(5, TimeUnit.MINUTES);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          answer(exchange, 200, body);
        });
    return held;
  }

  /** A path whose answers wait for the test: see {@link #held}. */
  static final class Held {
    private final CountDownLatch released = new CountDownLatch(1);
    private int requests;

    private Held() {}

    private synchronized void arrived() {
      requests++;
      notifyAll();
    }

    /** Waits until a request has come: its client now waits on this server. */
    void awaitRequest(Duration within) throws InterruptedException {
      awaitRequests(1, within);
    }

    /** Waits until {@code count} requests have come, held or answered. */
    synchronized void awaitRequests(int count, Duration within) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (requests < count) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(requests + " of " + count + " requests came within " + within.toMillis() + " ms");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    /** Answers the requests held so far, and every later one at once. */
    void release() {
      released.countDown();
    }
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

  /**
   * A URL whose server reads the request and then says nothing at all, until the client hangs up
   * or this server closes: see {@link Stall}.
   */
  Stall silent() throws IOException {
    return stall(new byte[0]);
  }

  /**
   * A URL whose server reads the request, sends the status line and headers of a 200 with a
   * Content-Length of 1 MiB and the first {@code sent} bytes of that body, then nothing more, until
   * the client hangs up or this server closes: see {@link Stall}.
   */
  Stall headersThenStall(int sent) throws IOException {
    byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    byte[] answer = Arrays.copyOf(head, head.length + sent);
    System.arraycopy(bytes(sent, 11), 0, answer, head.length, sent);
    return stall(answer);
  }

  private Stall stall(byte[] answer) throws IOException {
    Stall stall = new Stall(answer);
    stalls.add(stall);
    if (closing.getCount() == 0) {
      stall.close();
    }
    return stall;
  }

  /**
   * A URL on a socket of its own, served by hand because the JDK's server cannot tell when a
   * client hangs up on an answer it has not finished: for each connection it reads one request,
   * sends what it was given and nothing more, then waits for the client to close the connection.
   * A test learns from it when a client waits on the server and when it gave up, as events.
   */
  static final class Stall implements AutoCloseable {
    private final ServerSocket listener;
    private final byte[] answer;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private int requests;
    private int hangUps;

    private Stall(byte[] answer) throws IOException {
      this.answer = answer;
      this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      Thread acceptor = new Thread(this::accept, "loopback-stall-" + listener.getLocalPort());
      acceptor.setDaemon(true);
      acceptor.start();
    }

    /** This stall's URL. */
    String url() {
      return "http://127.0.0.1:" + listener.getLocalPort() + "/stall";
    }

    /** Waits until a client's request has been read: it now waits on this server. */
    void awaitRequest(Duration within) throws InterruptedException {
      await(() -> requests > 0, within, "no request came");
    }

    /**
     * Waits until a request has been read and every client that connected has hung up (closed or
     * reset its connection).
     */
    void awaitClientsGone(Duration within) throws InterruptedException {
      await(() -> requests > 0 && hangUps == connections.size(), within, "the client did not hang up");
    }

    private synchronized void await(BooleanSupplier condition, Duration within, String failure)
        throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(
              failure + " within " + within.toMillis() + " ms at " + url() + ": " + connections.size()
                  + " connections, " + requests + " requests, " + hangUps + " hung up");
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    private void accept() {
      while (true) {
        Socket connection;
        try {
          connection = listener.accept();
        } catch (IOException closed) {
          return;
        }
        connections.add(connection);
        Thread serving = new Thread(() -> serve(connection), "loopback-stall-connection");
        serving.setDaemon(true);
        serving.start();
      }
    }

    private void serve(Socket connection) {
      try (connection) {
        InputStream in = connection.getInputStream();
        if (!readRequestHead(in)) {
          return;
        }
        synchronized (this) {
          requests++;
          notifyAll();
        }
        connection.getOutputStream().write(answer);
        connection.getOutputStream().flush();
        // The client sends nothing more: a read ends only when it hangs up (or this stall closes).
        while (in.read() != -1) {
          // Ignore it.
        }
      } catch (IOException hungUp) {
        // A reset, or this stall closing: the connection is over either way.
      } finally {
        synchronized (this) {
          hangUps++;
          notifyAll();
        }
      }
    }

    /** Reads up to the blank line that ends a request's head; false if the connection ended first. */
    private static boolean readRequestHead(InputStream in) throws IOException {
      int matched = 0;
      byte[] end = {'\r', '\n', '\r', '\n'};
      int b;
      while ((b = in.read()) != -1) {
        matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        if (matched == end.length) {
          return true;
        }
      }
      return false;
    }

    @Override
    public void close() {
      try {
        listener.close();
      } catch (IOException e) {
        // It accepts nothing more either way.
      }
      for (Socket connection : connections) {
        try {
          connection.close();
        } catch (IOException e) {
          // Closed already.
        }
      }
    }
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
    helds.forEach(Held::release);
    server.stop(0);
    executor.shutdownNow();
    stalls.forEach(Stall::close);
    for (Socket holder : portHolders) {
      try {
        holder.close();
      } catch (IOException e) {
        // Nothing was sent on it; the port is free either way.
      }
    }
  }
}
