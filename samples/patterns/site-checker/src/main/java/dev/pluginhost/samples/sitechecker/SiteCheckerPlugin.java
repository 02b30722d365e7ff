package dev.pluginhost.samples.sitechecker;

import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.io.IOException;
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
 * back to the host as that URL's error while the others carry on.
 *
 * <p>Inside the host's sandbox a plugin has only a loopback of its own: the host must grant it
 * {@code network} to reach anything else (the host's loopback included). Without the grant a check
 * fails at once with a refused connection; it does not hang.
 *
 * <p>Configuration: {@code timeout-ms}, how long a check waits to connect and then for the answer
 * (default 5000).
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
  /** One client per process: it is thread-safe and keeps connections for reuse. */
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
    Duration wait = call.remaining().compareTo(timeout) < 0 ? call.remaining() : timeout;
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(positive(wait)).GET().build();
    try {
      HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
      return response.statusCode() + " (pid " + PID + ")";
    } catch (HttpConnectTimeoutException e) {
      throw new HttpConnectTimeoutException("could not connect within " + wait.toMillis() + " ms");
    } catch (HttpTimeoutException e) {
      throw new HttpTimeoutException("no answer within " + wait.toMillis() + " ms");
    } catch (ConnectException e) {
      throw new ConnectException("could not connect to " + uri.getAuthority() + ": " + reason(e));
    }
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
  private static String reason(ConnectException e) {
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
}
