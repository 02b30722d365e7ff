package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loader sample: a download streamed over a pipe, with progress, that either end may cancel;
 * and a map of downloads over a pool. Against a server on the test machine's loopback.
 */
class LoaderTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  private static final int CHUNK = 64 * 1024;
  /**
   * How long a test waits for what the plugin does on a cancel, and the deadline of the pipes that
   * wait on it: far longer than it takes, far shorter than the host's call limit.
   */
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tempDir;

  private RunningHost startLoader(int processes) throws Exception {
    return RunningHost.start(
        tempDir,
        b ->
            b.plugin(
                "loader",
                s -> s.processes(processes).grant(Grants.NETWORK).config("chunk-bytes", Integer.toString(CHUNK))),
        "loader");
  }

  /** One message of the loader's framing: a one-byte tag and its payload. */
  private record Message(char tag, byte[] payload) {
    static Message of(byte[] frame) {
      return new Message((char) frame[0], java.util.Arrays.copyOfRange(frame, 1, frame.length));
    }

    String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }
  }

  private static byte[] frame(char tag, String payload) {
    byte[] text = payload.getBytes(StandardCharsets.UTF_8);
    byte[] frame = new byte[1 + text.length];
    frame[0] = (byte) tag;
    System.arraycopy(text, 0, frame, 1, text.length);
    return frame;
  }

  @Test
  void load_streamsALargeBodyAsSeveralChunks_withProgressInOrder_andTheBytesMatch() throws Exception {
    byte[] body = LoopbackWebServer.bytes(20 * CHUNK + 123, 42);
    try (LoopbackWebServer server = LoopbackWebServer.start().ok("/big", body);
        RunningHost running = startLoader(1);
        PluginPipe pipe = running.plugin("loader").openPipe("load", TIMEOUT)) {
      pipe.send(frame('G', server.url("/big")));

      List<Message> messages = new ArrayList<>();
      byte[] frame;
      while ((frame = pipe.receive()) != null) {
        messages.add(Message.of(frame));
      }

      assertEquals("200 " + body.length, messages.get(0).text(), "H first: " + messages.get(0).tag());
      assertEquals('H', messages.get(0).tag());
      ByteArrayOutputStream received = new ByteArrayOutputStream();
      int chunks = 0;
      // Then each chunk, followed by the progress it made.
      for (int i = 1; i < messages.size() - 1; i += 2) {
        assertEquals('D', messages.get(i).tag(), "message " + i);
        received.write(messages.get(i).payload());
        chunks++;
        assertEquals('P', messages.get(i + 1).tag(), "message " + (i + 1));
        assertEquals(received.size() + " " + body.length, messages.get(i + 1).text());
      }
      assertEquals(21, chunks, "20 whole chunks of " + CHUNK + " bytes and a last one of 123");
      assertArrayEquals(body, received.toByteArray());
      Message last = messages.get(messages.size() - 1);
      assertEquals('E', last.tag());
      assertEquals(body.length + " " + sha256(body), last.text());
    }
  }

  @Test
  void load_cancelMessageMidTransfer_stopsTheDownload_andThePluginSaysSo() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running = startLoader(1);
        PluginPipe pipe = running.plugin("loader").openPipe("load", TIMEOUT)) {
      CompletableFuture<Long> serverSawClientGo = server.endless("/endless");
      pipe.send(frame('G', server.url("/endless")));
      assertEquals("200 -1", Message.of(pipe.receive()).text(), "no length: the body has no end");
      long seen = 0;
      int chunks = 0;
      while (chunks < 3) {
        Message message = Message.of(pipe.receive());
        if (message.tag() == 'D') {
          seen += message.payload().length;
          chunks++;
        }
      }

      pipe.send(frame('C', ""));

      // Chunks already on their way still arrive; then the plugin's word that it stopped.
      Message message;
      do {
        message = Message.of(pipe.receive());
        if (message.tag() == 'D') {
          seen += message.payload().length;
        }
      } while (message.tag() == 'D' || message.tag() == 'P');
      assertEquals('C', message.tag(), message.text());
      assertEquals(seen, Long.parseLong(message.text()), "the plugin sent every byte it counted");
      assertNull(pipe.receive(), "then the call ended normally");
      // The proof that the download stopped, not just its forwarding: the server's writes fail,
      // because the plugin closed the connection.
      serverSawClientGo.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  @Test
  void load_cancelMessageWhileThePluginWaitsOnTheServer_hangsUp_andThePluginSaysSo() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running = startLoader(1);
        PluginPipe pipe = running.plugin("loader").openPipe("load", WAIT)) {
      LoopbackWebServer.Stall stall = server.headersThenStall(10);
      pipe.send(frame('G', stall.url()));
      assertEquals("200 1048576", Message.of(pipe.receive()).text());
      // The plugin now reads a body whose next bytes never come: a read that only the listener's
      // closing it can end. (Flow control plays no part: nothing waits to be sent.)

      pipe.send(frame('C', ""));

      long seen = 0;
      Message message;
      do {
        message = Message.of(pipe.receive());
        if (message.tag() == 'D') {
          seen += message.payload().length;
        }
      } while (message.tag() == 'D' || message.tag() == 'P');
      assertEquals('C', message.tag(), message.text());
      assertEquals(seen, Long.parseLong(message.text()), "the plugin sent every byte it counted");
      assertNull(pipe.receive(), "then the call ended normally");
      stall.awaitClientsGone(WAIT);
    }
  }

  @Test
  void load_cancellingThePipeWhileThePluginWaitsOnTheServer_hangsUp() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running = startLoader(1);
        PluginPipe pipe = running.plugin("loader").openPipe("load", WAIT)) {
      LoopbackWebServer.Stall stall = server.headersThenStall(10);
      pipe.send(frame('G', stall.url()));
      assertEquals("200 1048576", Message.of(pipe.receive()).text());

      pipe.cancel();

      PluginCallException error =
          assertThrows(
              PluginCallException.class,
              () -> {
                while (true) {
                  assertNotNull(pipe.receive(), "a cancelled call does not end normally");
                }
              });
      assertEquals(Status.Code.CANCELLED, error.code(), error.getMessage());
      // Only the call's cancellation tells the plugin, blocked in a read that nothing sends to:
      // its onCancel hook closes the body, and with it the connection.
      stall.awaitClientsGone(WAIT);
      assertTrue(running.plugin("loader").deaths().isEmpty(), running.plugin("loader").deaths().toString());
    }
  }

  @Test
  void fetch_aBodyThatStallsPastTheDeadline_failsWithTheDeadline_andHangsUp() throws Exception {
    byte[] small = "a small page".getBytes(StandardCharsets.UTF_8);
    try (LoopbackWebServer server = LoopbackWebServer.start().ok("/small", small);
        RunningHost running = startLoader(1)) {
      LoopbackWebServer.Stall stall = server.headersThenStall(10);

      List<CallOutcome> outcomes =
          running
              .plugin("loader")
              .map("fetch", List.of(stall.url().getBytes(StandardCharsets.UTF_8)), MapOptions.timeout(Duration.ofSeconds(5)));

      // Never a digest of part of the body. The host takes no answer from a call past its
      // deadline, so this holds even without the plugin's own check that its call was cancelled;
      // that check keeps fetch honest where its answer is still read.
      PluginCallException error = outcomes.get(0).error().orElseThrow(() -> new AssertionError("a digest of part of a body: " + outcomes.get(0)));
      assertTrue(
          error.code() == Status.Code.DEADLINE_EXCEEDED || error.code() == Status.Code.CANCELLED, error.getMessage());
      // The deadline reached the plugin, blocked in its read: its onCancel hook hung up.
      stall.awaitClientsGone(WAIT);
      assertFetched(
          running.plugin("loader").map("fetch", List.of(server.url("/small").getBytes(StandardCharsets.UTF_8)), MapOptions.timeout(TIMEOUT)).get(0),
          small);
      assertTrue(running.plugin("loader").deaths().isEmpty(), running.plugin("loader").deaths().toString());
    }
  }

  @Test
  void load_cancellingThePipe_stopsThePluginsDownload() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running = startLoader(1);
        PluginPipe pipe = running.plugin("loader").openPipe("load", TIMEOUT)) {
      CompletableFuture<Long> serverSawClientGo = server.endless("/endless");
      pipe.send(frame('G', server.url("/endless")));
      int chunks = 0;
      while (chunks < 3) {
        if (Message.of(pipe.receive()).tag() == 'D') {
          chunks++;
        }
      }

      pipe.cancel();

      // Messages that arrived before the cancel may still be read; then the call's end.
      PluginCallException error =
          assertThrows(
              PluginCallException.class,
              () -> {
                while (true) {
                  assertNotNull(pipe.receive(), "a cancelled call does not end normally");
                }
              });
      assertEquals(Status.Code.CANCELLED, error.code(), error.getMessage());
      // Without a word to the plugin but the call's cancellation, its download stops too.
      serverSawClientGo.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      // And the process carries on serving.
      assertTrue(running.plugin("loader").deaths().isEmpty(), running.plugin("loader").deaths().toString());
    }
  }

  @Test
  void fetch_mappedOverUrls_returnsEachUrlsSizeAndDigestInOrder_withPerUrlFailures() throws Exception {
    byte[] small = "a small page".getBytes(StandardCharsets.UTF_8);
    byte[] big = LoopbackWebServer.bytes(3 * CHUNK + 5, 43);
    try (LoopbackWebServer server = LoopbackWebServer.start().ok("/small", small).ok("/big", big).status("/missing", 404);
        RunningHost running = startLoader(2)) {
      List<String> urls =
          List.of(
              server.url("/small"), server.url("/missing"), server.url("/big"),
              server.refusedUrl(), "ftp://example.org/file", server.url("/small"));
      List<byte[]> inputs = new ArrayList<>();
      urls.forEach(url -> inputs.add(url.getBytes(StandardCharsets.UTF_8)));

      List<CallOutcome> outcomes = running.plugin("loader").map("fetch", inputs, MapOptions.timeout(TIMEOUT).chunkSize(1));

      assertFetched(outcomes.get(0), small);
      assertFailed(outcomes.get(1), Status.Code.UNKNOWN, "java.io.IOException: GET " + urls.get(1) + " answered HTTP 404");
      assertFetched(outcomes.get(2), big);
      assertFailed(outcomes.get(3), Status.Code.UNKNOWN, "java.net.ConnectException: could not connect to 127.0.0.1:");
      assertFailed(outcomes.get(4), Status.Code.INVALID_ARGUMENT, "not an http(s) URL: 'ftp://example.org/file'");
      assertFetched(outcomes.get(5), small);
    }
  }

  @Test
  void fetchAndLoad_waitingForHeadersThatNeverCome_hangUpOnTheirCallsCancel_notAtTheirTimeout() throws Exception {
    // The plugin would wait 50 s for the headers; the test waits 20 s at most for it to hang up.
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running =
            RunningHost.start(
                tempDir, b -> b.plugin("loader", s -> s.grant(Grants.NETWORK).config("timeout-ms", "50000")), "loader")) {
      PluginHandle loader = running.plugin("loader");
      LoopbackWebServer.Stall forFetch = server.silent();
      LoopbackWebServer.Stall forLoad = server.silent();

      ListenableFuture<byte[]> fetch =
          loader.callAsync("fetch", forFetch.url().getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(55));
      forFetch.awaitRequest(WAIT);
      fetch.cancel(true);
      forFetch.awaitClientsGone(WAIT);

      try (PluginPipe pipe = loader.openPipe("load", Duration.ofSeconds(55))) {
        pipe.send(frame('G', forLoad.url()));
        forLoad.awaitRequest(WAIT);
        pipe.cancel();
        forLoad.awaitClientsGone(WAIT);
      }
      assertTrue(loader.deaths().isEmpty(), loader.deaths().toString());
    }
  }

  @Test
  void start_refusesAChunkSizeOfNothing_andOneNoMessageCouldCarry() throws Exception {
    // 0 would answer the empty body's digest for any URL; 16 MiB is the host's message limit.
    for (String bad : List.of("0", Integer.toString(16 * 1024 * 1024))) {
      try (RunningHost running =
          RunningHost.start(
              tempDir.resolve("chunk-" + bad),
              b -> b.plugin("loader", s -> s.grant(Grants.NETWORK).config("chunk-bytes", bad)),
              "loader")) {
        // The host's start returns once the plugin's first process served or failed to.
        ProcessDeath death =
            running.plugin("loader").lastDeath().orElseThrow(() -> new AssertionError("the loader started with chunk-bytes " + bad));

        assertEquals(DeathCause.FAILED_START, death.cause(), death.toString());
        assertTrue(death.detail().contains("chunk-bytes must be 1 to 1048576, got '" + bad + "'"), death.detail());
      }
    }
  }

  private static void assertFetched(CallOutcome outcome, byte[] body) throws Exception {
    String[] answer = outcome.text().split(" ");
    assertEquals(List.of(Integer.toString(body.length), sha256(body), "pid"), List.of(answer).subList(0, 3), outcome.text());
    assertTrue(answer[3].matches("\\d+-[0-9a-f]{6}"), outcome.text());
  }

  private static void assertFailed(CallOutcome outcome, Status.Code code, String reason) {
    PluginCallException error = outcome.error().orElseThrow(() -> new AssertionError("expected a failure: " + outcome));
    assertEquals(code, error.code(), error.getMessage());
    assertTrue(error.getMessage().contains(reason), "expected '" + reason + "' in: " + error.getMessage());
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
