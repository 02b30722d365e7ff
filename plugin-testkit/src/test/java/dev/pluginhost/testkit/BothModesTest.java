package dev.pluginhost.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** One test body, run against the plugin in the test's JVM and in a plugin JVM under a real host. */
class BothModesTest {

  /** The two ways to run a plugin from its jar, folder or classes. */
  enum Mode {
    IN_PROCESS {
      @Override
      PluginUnderTest start(Path source, Map<String, String> config) {
        return InProcessPlugin.builder(source).config(config).start();
      }
    },
    CHILD_JVM {
      @Override
      PluginUnderTest start(Path source, Map<String, String> config) {
        return ChildJvmPlugin.builder(source).config(config).start();
      }
    };

    abstract PluginUnderTest start(Path source, Map<String, String> config);
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void theHelloSample_greetsEchoesFailsAndShouts(Mode mode) {
    try (PluginUnderTest hello = mode.start(Samples.helloJar(), Map.of("greeting", "Howdy"))) {
      assertEquals("hello", hello.id());
      assertEquals(List.of("count", "echo", "fail", "greet", "pid", "reject", "shout", "whoCalls"), hello.functions());
      assertEquals("Howdy, Ann!", hello.callText("greet", "Ann"));
      assertArrayEquals(new byte[] {0, 1, -1}, hello.call("echo", new byte[] {0, 1, -1}));
      assertEquals("the test", new String(
          hello.call("whoCalls", new byte[0], Duration.ofSeconds(10), Map.of("caller", "the test")), UTF_8));

      CallFailedException failed = assertThrows(CallFailedException.class, () -> hello.callText("fail", "on purpose"));
      assertEquals(Code.UNKNOWN, failed.code());
      assertEquals(Optional.of("java.lang.IllegalStateException"), failed.remoteExceptionClass());
      assertTrue(failed.description().endsWith("function 'fail' threw java.lang.IllegalStateException: on purpose"),
          failed.getMessage());
      assertEquals(Code.INVALID_ARGUMENT, assertThrows(CallFailedException.class, () -> hello.callText("reject", "x")).code());
      CallFailedException missing = assertThrows(CallFailedException.class, () -> hello.callText("nope", ""));
      assertEquals(Code.UNIMPLEMENTED, missing.code());
      assertTrue(missing.description().endsWith(
          "no function 'nope'; this plugin has: count, echo, fail, greet, pid, reject, shout, whoCalls"), missing.getMessage());

      assertEquals(List.of("Howdy, A!", "Howdy, B!"), hello.mapText("greet", List.of("A", "B")).stream().map(MapOutcome::text).toList());

      try (CallerPipe shout = hello.openPipe("shout", Duration.ofSeconds(10))) {
        shout.sendText("isolated");
        shout.sendText("supervised");
        shout.closeSend();
        assertEquals("ISOLATED", shout.receiveText());
        assertEquals("SUPERVISED", shout.receiveText());
        assertNull(shout.receiveText());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aFunctionUsingAServiceItWasNotGranted_failsWithTheSameWords(Mode mode, @TempDir Path directory) throws Exception {
    try (PluginUnderTest toolbox = mode.start(ToolboxClasses.writeTo(directory), Map.of())) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> toolbox.callText("remember", "Ann"));
      assertEquals(Code.UNKNOWN, e.code());
      assertTrue(
          e.description().endsWith(
              "function 'remember' threw dev.pluginhost.plugin.api.HostServiceException: PERMISSION_DENIED: plugin toolbox"
                  + " was not granted \"kv\" (add it to the plugin's grants in its settings)"),
          e.getMessage());
      // The runner checks the grant before it refuses to wait on its I/O thread.
      CallFailedException nonBlocking = assertThrows(CallFailedException.class, () -> toolbox.callText("nonBlockingUses", "kv"));
      assertTrue(nonBlocking.description().contains("PERMISSION_DENIED"), nonBlocking.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void grantedServices_answerAlike_inTheTestsJvmAndUnderARealHost(Mode mode, @TempDir Path directory) throws Exception {
    Path source = ToolboxClasses.writeTo(directory);
    try (PluginUnderTest toolbox =
        mode == Mode.IN_PROCESS
            ? InProcessPlugin.builder(source)
                .grant("kv", "service:billing", "call:toolbox")
                .service("billing", (method, request) -> (method + "d " + new String(request, UTF_8)).getBytes(UTF_8))
                .start()
            : ChildJvmPlugin.builder(source)
                .grant("kv", "service:billing", "call:toolbox")
                .host(b -> b.service("billing", request -> (request.method() + "d " + request.text()).getBytes(UTF_8)))
                .start()) {
      assertEquals("(absent)", toolbox.callText("recall", "last"));
      assertEquals("ok", toolbox.callText("remember", "Ann"));
      assertEquals("Ann", toolbox.callText("recall", "last"));
      assertEquals("charged 5 EUR", toolbox.callText("charge", "5 EUR"));
      assertEquals("toolbox", toolbox.callText("callMyself", ""), "a plugin calls itself, and the callee hears who called");
      // A NON_BLOCKING function runs on the runner's I/O thread, where host services must not wait.
      CallFailedException e = assertThrows(CallFailedException.class, () -> toolbox.callText("nonBlockingUses", "kv"));
      assertEquals(Code.UNKNOWN, e.code());
      assertTrue(
          e.description().endsWith(
              "function 'nonBlockingUses' threw java.lang.IllegalStateException: host services wait for the host, and a"
                  + " function declared NON_BLOCKING must not wait: register it without that option to use them"),
          e.getMessage());
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aMap_runsItsChunksAtOnce_onOneInstance_asOneProcessDoes(Mode mode, @TempDir Path directory) throws Exception {
    try (PluginUnderTest toolbox = mode.start(ToolboxClasses.writeTo(directory), Map.of())) {
      // Two inputs are two chunks of one, which one process runs at the same time: each call meets the other.
      List<MapOutcome> outcomes = toolbox.map("meet", List.of(new byte[0], new byte[0]), Duration.ofSeconds(30));
      assertEquals(List.of("met", "met"), outcomes.stream().map(MapOutcome::text).toList());
    }
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aPluginWhoseStartThrows_failsToStartNamingTheException(Mode mode, @TempDir Path directory) throws Exception {
    Path toolbox = ToolboxClasses.writeTo(directory);
    PluginStartException e =
        assertThrows(PluginStartException.class, () -> mode.start(toolbox, Map.of("failStart", "no model")).close());
    assertTrue(e.getMessage().contains("java.lang.IllegalStateException: asked to fail: no model"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(Mode.class)
  void aCallPastItsDeadline_failsWithDeadlineExceeded_andTheFunctionHearsOfIt(Mode mode, @TempDir Path directory)
      throws Exception {
    try (PluginUnderTest toolbox = mode.start(ToolboxClasses.writeTo(directory), Map.of())) {
      // A pipe, so the test knows the function runs before its deadline passes, however slow the machine.
      try (CallerPipe pipe = toolbox.openPipe("startThenWaitForCancel", Duration.ofSeconds(3))) {
        assertEquals("started", pipe.receiveText());
        CallFailedException e = assertThrows(CallFailedException.class, pipe::receive);
        assertEquals(Code.DEADLINE_EXCEEDED, e.code());
        assertTrue(e.description().contains("did not finish within its 3000 ms deadline"), e.getMessage());
      }
      // The function's onCancel listener counted the cancellation; this call waits until it has.
      assertEquals("1", toolbox.callText("awaitCancelsSeen", ""));
    }
  }
}
