package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Calls that work, and calls that fail with a typed error and leave the plugin serving. */
class CallErrorsTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle hello;

  @BeforeAll
  static void start() throws Exception {
    running = RunningHost.start(tempDir, b -> b.plugin("hello", s -> s.config("greeting", "Howdy")), "hello");
    hello = running.plugin("hello");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void textCall_usesTheConfigurationTheHostPassed() {
    assertEquals("Howdy, world!", hello.callText("greet", "world", TIMEOUT));
  }

  @Test
  void metadataTheCallerAttaches_reachesThePluginsCallContext() throws Exception {
    byte[] reply =
        hello.callAsync("whoCalls", new byte[0], TIMEOUT, java.util.Map.of("caller", "the test")).get();
    assertEquals("the test", new String(reply, StandardCharsets.UTF_8));
  }

  @Test
  void bytesCall_roundTripsBinaryInput() {
    byte[] input = new byte[256];
    for (int i = 0; i < input.length; i++) {
      input[i] = (byte) i;
    }
    assertArrayEquals(input, hello.call("echo", input, TIMEOUT));
  }

  @Test
  void pipe_exchangesMessagesBothWaysAndEndsWhenTheCallerStopsSending() {
    try (PluginPipe pipe = hello.openPipe("shout", TIMEOUT)) {
      for (String word : new String[] {"one", "two", "three"}) {
        pipe.send(word.getBytes(StandardCharsets.UTF_8));
        assertEquals(word.toUpperCase(), new String(pipe.receive(), StandardCharsets.UTF_8));
      }
      pipe.closeSend();
      assertNull(pipe.receive());
    }
  }

  @Test
  void countingPipe_answersWithTheBytesItReceived_onceTheCallerStopsSending() {
    try (PluginPipe pipe = hello.openPipe("count", TIMEOUT)) {
      pipe.send(new byte[65_536]);
      pipe.send(new byte[3]);
      pipe.closeSend();
      assertEquals("65539", new String(pipe.receive(), StandardCharsets.UTF_8));
      assertNull(pipe.receive());
    }
  }

  @Test
  void handlerException_failsTheCallWithItsClassAndMessage_withoutARestart() {
    long pid = running.pidOf("hello");
    int restarts = hello.restartCount();

    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hello.callText("fail", "broken on purpose", TIMEOUT));

    assertAll(
        () -> assertEquals(Status.Code.UNKNOWN, error.code()),
        () -> assertEquals(Optional.of("java.lang.IllegalStateException"), error.remoteExceptionClass()),
        () -> assertTrue(error.getMessage().contains("broken on purpose"), error.getMessage()),
        () -> assertEquals(pid, error.pid().orElseThrow()),
        () -> assertEquals(pid, running.pidOf("hello")),
        () -> assertEquals(restarts, hello.restartCount()),
        () -> assertEquals("Howdy, again!", hello.callText("greet", "again", TIMEOUT)));
  }

  @Test
  void illegalArgumentFromThePlugin_failsWithInvalidArgument() {
    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hello.callText("reject", "nobody", TIMEOUT));
    assertEquals(Status.Code.INVALID_ARGUMENT, error.code());
    assertTrue(error.getMessage().contains("cannot greet 'nobody'"), error.getMessage());
  }

  @Test
  void unknownFunction_failsWithUnimplemented_namingTheFunctionsThereAre() {
    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hello.callText("nope", "", TIMEOUT));
    assertEquals(Status.Code.UNIMPLEMENTED, error.code());
    assertTrue(error.getMessage().contains("no function 'nope'"), error.getMessage());
    assertTrue(error.getMessage().contains("greet"), error.getMessage());
  }

  @Test
  void unknownPlugin_failsWithNotFound_namingThePluginsThereAre() {
    PluginCallException error = assertThrows(PluginCallException.class, () -> running.host().plugin("nope"));
    assertEquals(Status.Code.NOT_FOUND, error.code());
    assertTrue(error.getMessage().contains("hello"), error.getMessage());
  }

  @Test
  void functionsRegisteredAtStart_areListed() {
    assertTrue(hello.functions().containsAll(java.util.List.of("greet", "echo", "shout", "fail")), hello.functions().toString());
  }
}
