package dev.pluginhost.samples.loader;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Pipe;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Loads URLs two ways: one download streamed over a pipe, and many downloads mapped over a pool.
 *
 * <p><b>{@code load}, the pipe</b> (Python's {@code Pipe()}: a worker sends progress and data back
 * while its parent may still tell it to stop). Every message is a one-byte ASCII tag followed by
 * its payload; text payloads are UTF-8:
 *
 * <pre>
 * host to plugin
 *   G url                 get this URL (the first message)
 *   C                     cancel: stop downloading and say so
 * plugin to host
 *   H status length       the response's status and Content-Length (-1 when not given)
 *   D bytes               the next chunk of the body
 *   P received length     progress, after each chunk: bytes so far, and the length as in H
 *   C received            stopped on the host's C after this many bytes; the call then ends
 *   E size sha256         the whole body arrived: its size and SHA-256 (hex); the call then ends
 * </pre>
 *
 * <p>A status of 400 or more fails the call instead of streaming the error page. The host may also
 * end the call without a word ({@code PluginPipe.cancel()}, or its deadline passes): the download
 * stops, and the connection to the server is closed, either way.
 *
 * <p><b>{@code fetch}, the map</b> ({@code pool.map(fetch, urls)}): downloads one URL and answers
 * {@code SIZE SHA256 pid PID}; a URL that cannot be fetched fails its own call.
 *
 * <p>Inside the host's sandbox the plugin needs the grant {@code network} to reach any server.
 * Configuration: {@code chunk-bytes}, the size of a data message (default 65536; 1 to 1048576, well
 * within the host's message limit of 16 MiB by default: a host whose {@code maxMessageBytes} is
 * lower needs it lower still), and {@code timeout-ms}, how long to wait to connect and for the
 * response's headers (default 10000; never longer than the caller waits).
 */
public final class LoaderPlugin implements Plugin {
  // The framing's tags, host to plugin.
  static final byte GET = 'G';
  static final byte CANCEL = 'C';
  // Plugin to host.
  static final byte HEADERS = 'H';
  static final byte DATA = 'D';
  static final byte PROGRESS = 'P';
  static final byte CANCELLED = 'C';
  static final byte DONE = 'E';

  /**
   * Names this process in results, like {@code os.getpid()} in a Python worker. Inside the host's
   * sandbox every plugin JVM is pid 2 of its own PID namespace, so a random suffix tells a pool's
   * processes apart: {@code 2-3f9a1c}.
   */
  private static final String PID =
      ProcessHandle.current().pid() + "-" + String.format("%06x", new SecureRandom().nextInt(1 << 24));

  /** The most {@code chunk-bytes} may be: a data message must fit the host's message limit. */
  private static final int MAX_CHUNK_BYTES = 1024 * 1024;

  private int chunkBytes;
  private Duration timeout;
  private HttpClient client;

  @Override
  public void start(PluginContext context) {
    chunkBytes = chunkBytes(context.config().getOrDefault("chunk-bytes", "65536"));
    timeout = Duration.ofMillis(Long.parseLong(context.config().getOrDefault("timeout-ms", "10000")));
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    context.registerStreaming("load", this::load);
    context.registerText("fetch", this::fetch, FunctionOption.IDEMPOTENT);
  }

  /**
   * The size of a data message, checked: 0 would read nothing and answer the empty body's digest
   * for any URL, and a message past the host's limit fails every data message with
   * RESOURCE_EXHAUSTED.
   */
  private static int chunkBytes(String setting) {
    int bytes;
    try {
      bytes = Integer.parseInt(setting.trim());
    } catch (NumberFormatException e) {
      bytes = -1;
    }
    if (bytes < 1 || bytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("chunk-bytes must be 1 to " + MAX_CHUNK_BYTES + ", got '" + setting + "'");
    }
    return bytes;
  }

  private void load(CallContext call, Pipe pipe) throws Exception {
    byte[] request = pipe.receive();
    if (request == null || request.length == 0 || request[0] != GET) {
      throw new IllegalArgumentException("the first message must be 'G' followed by a URL");
    }
    URI uri = parse(new String(request, 1, request.length - 1, StandardCharsets.UTF_8));
    HttpResponse<InputStream> response = get(call, uri);
    try (InputStream body = response.body()) {
      long length = response.headers().firstValueAsLong("Content-Length").orElse(-1);
      send(pipe, HEADERS, response.statusCode() + " " + length);

      // The pipe is two-way at once: while this thread streams the body, another waits for the
      // host's messages. Closing the body stops the download at once (even a read that is
      // waiting for the server) and closes the connection.
      AtomicBoolean cancelAsked = new AtomicBoolean();
      Thread listener =
          new Thread(
              () -> {
                try {
                  byte[] message;
                  while ((message = pipe.receive()) != null) {
                    if (message.length > 0 && message[0] == CANCEL) {
                      cancelAsked.set(true);
                      closeQuietly(body);
                      return;
                    }
                  }
                } catch (InterruptedException | RuntimeException e) {
                  // The download ended, or the call did: nothing more to listen for.
                }
              },
              "loader-listener");
      listener.setDaemon(true);
      listener.start();
      // The host cancelled the call or its deadline passed: stop downloading too.
      call.onCancel(() -> closeQuietly(body));

      try {
        MessageDigest sha256 = sha256();
        byte[] buffer = new byte[chunkBytes];
        long received = 0;
        try {
          int n;
          while (!cancelAsked.get() && (n = body.readNBytes(buffer, 0, buffer.length)) > 0) {
            received += n;
            sha256.update(buffer, 0, n);
            byte[] chunk = new byte[1 + n];
            chunk[0] = DATA;
            System.arraycopy(buffer, 0, chunk, 1, n);
            // Waits while the host is slower than the server (flow control), and throws
            // CallCancelledException once the call was cancelled.
            pipe.send(chunk);
            send(pipe, PROGRESS, received + " " + length);
          }
        } catch (IOException e) {
          if (!cancelAsked.get()) {
            throw e;
          }
          // The listener closed the body under our read: that is the cancel, not a failure.
        }
        if (cancelAsked.get()) {
          send(pipe, CANCELLED, Long.toString(received));
        } else if (call.isCancelled()) {
          // The body ended because onCancel closed it: a cut-off body is not done.
          throw new CallCancelledException("cancelled after " + received + " bytes");
        } else {
          send(pipe, DONE, received + " " + HexFormat.of().formatHex(sha256.digest()));
        }
      } finally {
        listener.interrupt();
      }
    }
  }

  /** Downloads one URL whole: {@code SIZE SHA256 pid PID}. */
  private String fetch(CallContext call, String url) throws IOException, InterruptedException {
    URI uri = parse(url.trim());
    HttpResponse<InputStream> response = get(call, uri);
    MessageDigest sha256 = sha256();
    long size = 0;
    try (InputStream body = response.body()) {
      call.onCancel(() -> closeQuietly(body));
      byte[] buffer = new byte[chunkBytes];
      int n;
      while ((n = body.read(buffer)) > 0) {
        size += n;
        sha256.update(buffer, 0, n);
      }
    }
    if (call.isCancelled()) {
      throw new CallCancelledException("cancelled after " + size + " bytes");
    }
    return size + " " + HexFormat.of().formatHex(sha256.digest()) + " pid " + PID;
  }

  /**
   * Sends the request and waits for the headers, no longer than {@code timeout-ms} nor than the
   * caller waits, and hangs up if the call is cancelled meanwhile; a status of 400 or more is an
   * IOException.
   */
  private HttpResponse<InputStream> get(CallContext call, URI uri) throws IOException, InterruptedException {
    Duration wait = call.remaining().compareTo(timeout) < 0 ? call.remaining() : timeout;
    wait = wait.toMillis() < 1 ? Duration.ofMillis(1) : wait;
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(wait).GET().build();
    CompletableFuture<HttpResponse<InputStream>> answer =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    call.onCancel(() -> answer.cancel(true));
    HttpResponse<InputStream> response;
    try {
      response = answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      hangUp(answer);
      throw new HttpTimeoutException("no answer from " + uri.getAuthority() + " within " + wait.toMillis() + " ms");
    } catch (CancellationException e) {
      throw new CallCancelledException("cancelled while waiting for " + uri);
    } catch (InterruptedException e) {
      hangUp(answer);
      throw e;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof HttpConnectTimeoutException) {
        throw new HttpConnectTimeoutException("could not connect to " + uri.getAuthority() + " within " + wait.toMillis() + " ms");
      } else if (cause instanceof HttpTimeoutException) {
        throw new HttpTimeoutException("no answer from " + uri.getAuthority() + " within " + wait.toMillis() + " ms");
      } else if (cause instanceof ConnectException) {
        throw new ConnectException("could not connect to " + uri.getAuthority() + ": " + reason(cause));
      }
      throw cause instanceof IOException ? (IOException) cause : new IOException(cause);
    }
    if (response.statusCode() >= 400) {
      response.body().close();
      throw new IOException("GET " + uri + " answered HTTP " + response.statusCode());
    }
    return response;
  }

  /** Aborts an exchange, and closes the response's body should it have come in meanwhile. */
  private static void hangUp(CompletableFuture<HttpResponse<InputStream>> answer) {
    if (!answer.cancel(true)) {
      answer.thenAccept(response -> closeQuietly(response.body()));
    }
  }

  /** The first message in a failed connect's chain of causes; the JDK's client often gives none. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        return t.getMessage();
      }
    }
    return "refused or unreachable";
  }

  private static void send(Pipe pipe, byte tag, String payload) throws InterruptedException {
    byte[] text = payload.getBytes(StandardCharsets.UTF_8);
    byte[] message = new byte[1 + text.length];
    message[0] = tag;
    System.arraycopy(text, 0, message, 1, text.length);
    pipe.send(message);
  }

  /** The URL, if it is an absolute http or https one; IllegalArgumentException (INVALID_ARGUMENT) if not. */
  private static URI parse(String url) {
    try {
      URI uri = new URI(url);
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        throw new IllegalArgumentException("not an http(s) URL: '" + url + "'");
      }
      return uri;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: '" + url + "': " + e.getMessage());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // Closing is all we wanted; a failure to close changes nothing.
    }
  }
}
