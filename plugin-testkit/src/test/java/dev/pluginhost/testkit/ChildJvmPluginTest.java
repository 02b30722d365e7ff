package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The child-JVM mode's own features, against the built samples. */
class ChildJvmPluginTest {
  /** One hello process for the class: its start is a JVM's. */
  @RegisterExtension
  static final PluginExtension<ChildJvmPlugin> hello =
      PluginExtension.of(() -> ChildJvmPlugin.builder(Samples.helloJar()).callTimeout(Duration.ofSeconds(20)).start());

  @Test
  void theHandle_isTheHostsRealOne_forAPluginInAProcessOfItsOwn() {
    ChildJvmPlugin plugin = hello.get();
    assertEquals(PluginState.RUNNING, plugin.handle().state());
    long pid = plugin.handle().pid().orElseThrow();
    assertNotEquals(ProcessHandle.current().pid(), pid);
    assertEquals(1, plugin.handle().processes().size(), "one process unless the test asks for more");
    assertEquals(Duration.ofSeconds(20), plugin.callTimeout());
    assertEquals("hello", plugin.host().plugin("hello").id());
  }

  @Test
  void aFailedCall_keepsTheHostsExceptionAsItsCause() {
    CallFailedException e = assertThrows(CallFailedException.class, () -> hello.get().callText("fail", "on purpose"));
    PluginCallException cause = assertInstanceOf(PluginCallException.class, e.getCause());
    assertEquals(cause.getMessage(), e.getMessage());
    assertEquals(Optional.of("java.lang.IllegalStateException"), e.remoteExceptionClass());
    assertEquals("fail", e.function());
  }

  @Test
  void aClassesDirectory_isPackedIntoAJar_andTheOtherPluginsShareItsHost() throws Exception {
    Path installed;
    long pid;
    ChildJvmPlugin plugin =
        ChildJvmPlugin.builder(Samples.helloClasses())
            .otherPlugin(Samples.squaresJar())
            .settings(settings -> settings.config("greeting", "Hi"))
            .start();
    try (plugin) {
      assertEquals("Hi, Ann!", plugin.callText("greet", "Ann"));
      installed = plugin.host().pluginSource("hello").orElseThrow();
      assertTrue(Files.isRegularFile(installed.resolve("hello.jar")), "the classes were packed into " + installed);
      assertTrue(plugin.host().plugin("squares").callText("square", "7", Duration.ofSeconds(20)).startsWith("49@"));
      pid = plugin.handle().pid().orElseThrow();
    }
    assertFalse(Files.exists(installed), "the temporary directories are deleted on close");
    assertEquals(Code.FAILED_PRECONDITION, assertThrows(CallFailedException.class, () -> plugin.callText("greet", "Ann")).code());
    plugin.mapText("greet", List.of("Ann")).forEach(
        outcome -> assertEquals(Code.FAILED_PRECONDITION, outcome.error().orElseThrow().code()));
    Optional<ProcessHandle> process = ProcessHandle.of(pid);
    if (process.isPresent()) {
      process.get().onExit().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void map_spreadsInputsOverTheProcessesAsked() {
    try (ChildJvmPlugin squares = ChildJvmPlugin.builder(Samples.squaresJar()).processes(2).start()) {
      assertEquals(2, squares.handle().processes().size());
      List<MapOutcome> outcomes = squares.mapText("square", List.of("1", "2", "3", "4", "5", "6"));
      List<String> values = outcomes.stream().map(outcome -> outcome.text().split("@")[0]).toList();
      assertEquals(List.of("1", "4", "9", "16", "25", "36"), values);
      assertEquals(Code.INVALID_ARGUMENT, squares.mapText("square", List.of("x")).get(0).error().orElseThrow().code());
    }
  }

  @Test
  void aPathThatIsNoPlugin_failsToStartSayingWhy() {
    PluginStartException e =
        assertThrows(PluginStartException.class, () -> ChildJvmPlugin.builder(Samples.plugins().resolve("nothing.jar")).start());
    assertTrue(e.getMessage().contains("no plugin jar, plugin folder or classes directory at"), e.getMessage());
  }
}
