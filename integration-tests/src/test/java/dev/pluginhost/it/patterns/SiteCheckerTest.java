package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.internal.spawn.Sandbox;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The site-checker sample: a work queue and a done queue. The host feeds URLs to a pool and
 * prints each result as it completes, {@code URL is STATUS (pid N)} or {@code failed on URL with:
 * reason}, against a server on the test machine's loopback.
 */
class SiteCheckerTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final Pattern ANSWER = Pattern.compile("(\\d{3}) \\(pid (\\d+-[0-9a-f]{6})\\)");
  /** How long the plugin waits for an answer, where the test does not need it longer. */
  private static final String CHECK_TIMEOUT_MS = "5000";
  /** A deadline for one check, and for the test's waits on what the check does. */
  private static final Duration CALL = Duration.ofSeconds(20);

  @TempDir Path tempDir;

  @Test
  void urlsFedToAPool_comeBackAsTheyComplete_eachWithItsStatusOrItsOwnFailure() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running =
            RunningHost.start(
                tempDir,
                b ->
                    b.plugin(
                        "site-checker",
                        // The sandbox gives a plugin a loopback of its own: it needs the host's
                        // network to reach this server. The held URLs must not time out while
                        // the test holds them.
                        s -> s.processes(3).grant(Grants.NETWORK).config("timeout-ms", "30000")),
                "site-checker")) {
      for (int i = 1; i <= 8; i++) {
        server.ok("/page/" + i, ("page " + i).getBytes(StandardCharsets.UTF_8));
      }
      server.status("/missing", 404).status("/broken", 500);
      List<LoopbackWebServer.Held> held =
          List.of(server.held("/slow/1", "late".getBytes(StandardCharsets.UTF_8)), server.held("/slow/2", "late".getBytes(StandardCharsets.UTF_8)));
      // Held URLs first: they must hold up nothing but themselves.
      List<String> slow = List.of(server.url("/slow/1"), server.url("/slow/2"));
      List<String> urls = new ArrayList<>(slow);
      for (int i = 1; i <= 8; i++) {
        urls.add(server.url("/page/" + i));
      }
      String refused = server.refusedUrl();
      urls.addAll(List.of(server.url("/missing"), server.url("/broken"), refused, "not a url"));
      PluginHandle checker = running.plugin("site-checker");
      List<byte[]> inputs = new ArrayList<>();
      urls.forEach(url -> inputs.add(url.getBytes(StandardCharsets.UTF_8)));

      // The work queue is the map's inputs; the done queue is the iterator, in completion order.
      Map<String, String> lines = new LinkedHashMap<>();
      Map<String, PluginCallException> failures = new LinkedHashMap<>();
      Iterator<MapResult> done = checker.mapUnordered("check", inputs, MapOptions.timeout(TIMEOUT).chunkSize(1));
      while (done.hasNext()) {
        MapResult result = done.next();
        String url = urls.get(result.index());
        String line;
        if (result.outcome().succeeded()) {
          line = url + " is " + result.outcome().text();
        } else {
          PluginCallException error = result.outcome().error().orElseThrow();
          failures.put(url, error);
          line = "failed on " + url + " with: " + error.getMessage();
        }
        System.out.println(line);
        assertEquals(null, lines.put(url, line), "one result per URL: " + url);
        if (lines.size() == urls.size() - slow.size()) {
          // Every other URL is in, so only now may the held ones answer. An iterator that kept to
          // the input order would still be waiting on /slow/1: it would end only by that check's
          // timeout, as a failure, before the test got here.
          held.forEach(LoopbackWebServer.Held::release);
        }
      }

      assertEquals(urls.size(), lines.size(), lines.toString());
      List<String> order = new ArrayList<>(lines.keySet());
      assertEquals(Set.copyOf(slow), Set.copyOf(order.subList(order.size() - slow.size(), order.size())), "the held URLs come back last: " + order);
      for (String url : slow) {
        answered(lines.get(url), url, "200");
      }
      for (int i = 1; i <= 8; i++) {
        answered(lines.get(server.url("/page/" + i)), server.url("/page/" + i), "200");
      }
      answered(lines.get(server.url("/missing")), server.url("/missing"), "404");
      answered(lines.get(server.url("/broken")), server.url("/broken"), "500");
      assertFailed(failures.get(refused), Status.Code.UNKNOWN, "java.net.ConnectException: could not connect to 127.0.0.1:");
      assertFailed(failures.get("not a url"), Status.Code.INVALID_ARGUMENT, "not a URL: 'not a url'");
      assertEquals(2, failures.size(), failures.keySet().toString());
      // A failure names the process it happened in, as the host knows it.
      Set<Long> pool = new HashSet<>();
      checker.processes().stream().filter(p -> p.role() == ProcessInfo.Role.SERVING).forEach(p -> pool.add(p.pid()));
      for (PluginCallException failure : failures.values()) {
        assertTrue(pool.contains(failure.pid().orElseThrow()), failure.pid() + " is one of " + pool);
        assertTrue(failure.getMessage().contains("(pid " + failure.pid().getAsLong() + ")"), failure.getMessage());
      }
      assertTrue(checker.deaths().isEmpty(), "no URL cost a process: " + checker.deaths());
    }
  }

  @Test
  void withoutTheNetworkGrant_aSandboxedCheckFailsAtOnceWithAConnectionError_ratherThanHanging() throws Exception {
    assumeTrue(Sandbox.probe().available(), "bubblewrap is not available: " + Sandbox.probe().problem());
    try (LoopbackWebServer server = LoopbackWebServer.start().ok("/", "up".getBytes(StandardCharsets.UTF_8));
        RunningHost running =
            RunningHost.start(
                tempDir,
                // No grant. The plugin would wait a minute to connect and the caller thirty
                // seconds: a hang would end as a timeout, not as a refused connection.
                b -> b.plugin("site-checker", s -> s.config("timeout-ms", "60000")),
                "site-checker")) {
      PluginHandle checker = running.plugin("site-checker");

      PluginCallException error =
          assertThrows(PluginCallException.class, () -> checker.callText("check", server.url("/"), Duration.ofSeconds(30)));

      // 127.0.0.1 inside the sandbox is the plugin's own loopback, where nothing listens.
      assertFailed(error, Status.Code.UNKNOWN, "java.net.ConnectException: could not connect to 127.0.0.1:");
      assertEquals("java.net.ConnectException", error.remoteExceptionClass().orElseThrow());
    }
  }

  @Test
  void check_aBodyThatNeverEndsOrStallsAfterTheHeaders_answersTheStatusAtOnce_andHangsUp() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running =
            RunningHost.start(
                tempDir,
                b -> b.plugin("site-checker", s -> s.grant(Grants.NETWORK).config("timeout-ms", CHECK_TIMEOUT_MS)),
                "site-checker")) {
      PluginHandle checker = running.plugin("site-checker");
      CompletableFuture<Long> endlessClientGone = server.endless("/endless");
      LoopbackWebServer.Stall stalled = server.headersThenStall(10);

      // A check that read the body would still be reading either one when the call's deadline
      // passed: the caller would get DEADLINE_EXCEEDED, and the plugin a call that never ends.
      answered(server.url("/endless") + " is " + checker.callText("check", server.url("/endless"), CALL), server.url("/endless"), "200");
      answered(stalled.url() + " is " + checker.callText("check", stalled.url(), CALL), stalled.url(), "200");

      // Neither connection is left open: the servers see the checker hang up.
      endlessClientGone.get(CALL.toMillis(), TimeUnit.MILLISECONDS);
      stalled.awaitClientsGone(CALL);
      assertTrue(checker.deaths().isEmpty(), checker.deaths().toString());
    }
  }

  @Test
  void check_aServerThatNeverAnswers_failsAfterTimeoutMs_andHangsUp() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running =
            RunningHost.start(
                tempDir,
                b -> b.plugin("site-checker", s -> s.grant(Grants.NETWORK).config("timeout-ms", CHECK_TIMEOUT_MS)),
                "site-checker")) {
      LoopbackWebServer.Stall silent = server.silent();

      PluginCallException error =
          assertThrows(PluginCallException.class, () -> running.plugin("site-checker").callText("check", silent.url(), CALL));

      assertFailed(error, Status.Code.UNKNOWN, "java.net.http.HttpTimeoutException: no answer within " + CHECK_TIMEOUT_MS + " ms");
      silent.awaitClientsGone(CALL);
    }
  }

  @Test
  void check_cancelledByItsCallerWhileTheServerSaysNothing_hangsUpAtOnce_notAtItsTimeout() throws Exception {
    // The check would wait 50 s for an answer; the test waits 20 s at most for it to hang up.
    Duration longerThanTheTest = Duration.ofSeconds(50);
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running =
            RunningHost.start(
                tempDir,
                b ->
                    b.plugin(
                        "site-checker",
                        s -> s.grant(Grants.NETWORK).config("timeout-ms", Long.toString(longerThanTheTest.toMillis()))),
                "site-checker")) {
      PluginHandle checker = running.plugin("site-checker");
      LoopbackWebServer.Stall silent = server.silent();
      ListenableFuture<byte[]> check =
          checker.callAsync("check", silent.url().getBytes(StandardCharsets.UTF_8), longerThanTheTest.plusSeconds(5));
      silent.awaitRequest(CALL);

      check.cancel(true);

      silent.awaitClientsGone(CALL);
      // The process is none the worse for it.
      server.ok("/", "up".getBytes(StandardCharsets.UTF_8));
      answered(server.url("/") + " is " + checker.callText("check", server.url("/"), CALL), server.url("/"), "200");
      assertTrue(checker.deaths().isEmpty(), checker.deaths().toString());
    }
  }

  /** Checks a line reads {@code URL is STATUS (pid N)}. */
  private static void answered(String line, String url, String status) {
    String prefix = url + " is ";
    assertTrue(line != null && line.startsWith(prefix), "expected '" + prefix + status + " (pid ...)', got: " + line);
    Matcher answer = ANSWER.matcher(line.substring(prefix.length()));
    assertTrue(answer.matches(), line);
    assertEquals(status, answer.group(1), line);
  }

  private static void assertFailed(PluginCallException error, Status.Code code, String reason) {
    assertTrue(error != null, "expected a failure with: " + reason);
    assertEquals(code, error.code(), error.getMessage());
    assertTrue(error.getMessage().contains(reason), "expected '" + reason + "' in: " + error.getMessage());
  }
}
