package dev.pluginhost.samples.sitechecker;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.FunctionOption;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The worker of the work-queue / done-queue pattern: checks one URL per call. In Python:
 *
 * <pre>
 * def check(url):
 *     return url, urlopen(url, timeout=t).status, os.getpid()
 *
 * with Pool(4) as pool:
 *     for result in pool.imap_unordered(check, urls):   # the done queue, as results come in
 *         ...                                           # "URL is STATUS" / "failed on URL with: reason"
 * </pre>
 *
 * <p>{@code check} answers {@code STATUS (pid PID)} for any HTTP answer, 404 and 500 included,
 * and throws for a URL that gave none (refused, timed out, not a URL), so each URL's failure comes
 * back to the host as that URL's error while the others carry on. It answers as soon as the status
 * line and headers are in and reads none of the body: a huge page, one that trickles in, or one
 * that never ends costs no more than a small one. It hangs up on the server at once, so every check
 * uses a connection of its own.
 *
 * <p>A check never outlives its call: it waits for the answer no longer than the caller does, and
 * when the caller cancels it hangs up at once. A function that blocks past its call is what gets a
 * plugin process killed as hung, with every other call it was serving.
 *
 * <p>Inside the host's sandbox a plugin has only a loopback of its own: the host must grant it
 * {@code network} to reach anything else (the host's loopback included). Without the grant a check
 * fails at once with a refused connection; it does not hang.
 *
 * <p>Configuration: {@code timeout-ms}, how long a check waits to connect and then for the status
 * and headers (default 5000).
 */
public final class SiteCheckerPlugin implements Plugin {
  /**
   * Names this process in results, like {@code os.getpid()} in a Python worker. Inside the host's
   * sandbox every plugin JVM is pid 2 of its own PID namespace, so a random suffix tells a pool's
   * processes apart: {@code 2-3f9a1c}.
   */
  private static final String PID =
      ProcessHandle.current().pid() + "-" + String.format("%06x", new SecureRandom().nextInt(1 << 24));

  private Duration timeout;
  /** One client per process: it is thread-safe. */
  private HttpClient client;

  @Override
  public void start(PluginContext context) {
    timeout = Duration.ofMillis(Long.parseLong(context.config().getOrDefault("timeout-ms", "5000")));
    client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    // A GET that only reads a status is safe to repeat: the host may retry it elsewhere when the
    // process checking it dies.
    context.registerText("check", this::check, FunctionOption.IDEMPOTENT);
  }

  private String check(CallContext call, String url) throws IOException, InterruptedException {
    URI uri = parse(url.trim());
    // Never wait past the caller's deadline either.
    Duration wait = positive(call.remaining().compareTo(timeout) < 0 ? call.remaining() : timeout);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(wait).GET().build();
    // The response is handed over once its headers are in; its body is a stream nobody reads.
    CompletableFuture<HttpResponse<InputStream>> answer =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    // The caller gave up: stop waiting and hang up (cancel(true) aborts the exchange).
    call.onCancel(() -> answer.cancel(true));
    HttpResponse<InputStream> response;
    try {
      // The request's timeout should end the wait first; this one bounds redirects too.
      response = answer.get(wait.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      hangUp(answer);
      throw new HttpTimeoutException("no answer within " + wait.toMillis() + " ms");
    } catch (CancellationException e) {
      throw new CallCancelledException("cancelled while waiting for " + uri);
    } catch (InterruptedException e) {
      hangUp(answer);
      throw e;
    } catch (ExecutionException e) {
      throw failure(e.getCause(), uri, wait);
    }
    // The status is all a check wants: closing the body now hangs up instead of reading it.
    response.body().close();
    return response.statusCode() + " (pid " + PID + ")";
  }

  /** Aborts an exchange, and closes the response's body should it have come in meanwhile. */
  private static void hangUp(CompletableFuture<HttpResponse<InputStream>> answer) {
    if (!answer.cancel(true)) {
      answer.thenAccept(response -> closeQuietly(response.body()));
    }
  }

  /** What a failed exchange throws, in words that name the URL's problem. */
  private static IOException failure(Throwable cause, URI uri, Duration wait) {
    if (cause instanceof HttpConnectTimeoutException) {
      return new HttpConnectTimeoutException("could not connect within " + wait.toMillis() + " ms");
    } else if (cause instanceof HttpTimeoutException) {
      return new HttpTimeoutException("no answer within " + wait.toMillis() + " ms");
    } else if (cause instanceof ConnectException) {
      return new ConnectException("could not connect to " + uri.getAuthority() + ": " + reason(cause));
    } else if (cause instanceof IOException) {
      return (IOException) cause;
    }
    return new IOException(cause);
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

  /** The first message in a failed connect's chain of causes; the JDK's client often gives none. */
  private static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        return t.getMessage();
      }
    }
    return "refused or unreachable";
  }

  private static Duration positive(Duration wait) {
    return wait.toMillis() < 1 ? Duration.ofMillis(1) : wait;
  }

  private static void closeQuietly(InputStream body) {
    try {
      body.close();
    } catch (IOException e) {
      // Hanging up was all we wanted; a failure to close changes nothing.
    }
  }
}
