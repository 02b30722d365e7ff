package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class EchoServerCommandTest {
  @Test
  void replaceMain_replacesTheClassPathAndMainAndKeepsTheFlags() {
    List<String> plugin = List.of("/jdk/bin/java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "runner.jar", "dev.Runner");

    List<String> command = EchoServerCommand.replaceMain(plugin, "bench.jar", "dev.Echo", List.of("/s/echo.sock", "direct"));

    assertEquals(
        List.of("/jdk/bin/java", "-Xmx64m", "-XX:+UseSerialGC", "-cp", "bench.jar", "dev.Echo", "/s/echo.sock", "direct"),
        command);
  }

  @Test
  void replaceMain_dropsClassDataArchiveOptions() {
    List<String> plugin =
        List.of(
            "java",
            "-XX:SharedArchiveFile=/cache/runner.jsa",
            "-XX:+AutoCreateSharedArchive",
            "-XX:AOTCache=/cache/runner.aot",
            "-Xss256k",
            "-cp",
            "runner.jar",
            "dev.Runner");

    List<String> command = EchoServerCommand.replaceMain(plugin, "bench.jar", "dev.Echo", List.of());

    assertEquals(List.of("java", "-Xss256k", "-cp", "bench.jar", "dev.Echo"), command);
  }

  @Test
  void replaceMain_usesTheLastClassPathOption() {
    // A -cp inside a system property's value is not a class path option; only whole arguments are.
    List<String> plugin = List.of("java", "-Dx=-cp", "-classpath", "a.jar", "Main");

    List<String> command = EchoServerCommand.replaceMain(plugin, "b.jar", "Echo", List.of());

    assertEquals(List.of("java", "-Dx=-cp", "-cp", "b.jar", "Echo"), command);
  }

  @Test
  void replaceMain_withoutAClassPath_failsSayingWhy() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> EchoServerCommand.replaceMain(List.of("java", "-version"), "b.jar", "Echo", List.of()));

    assertTrue(e.getMessage().contains("-cp"), e.getMessage());
  }

  @Test
  void absolute_makesRelativeEntriesAbsolute_becauseTheChildRunsInItsOwnDirectory() {
    String here = Path.of("").toAbsolutePath().toString();

    assertEquals(
        here + "/bench/target/b.jar:/abs/x.jar", EchoServerCommand.absolute("bench/target/b.jar:/abs/x.jar"));
  }

  @Test
  void forDefaults_takesThePluginJvmFlagsOfThisBuild() {
    Path tmp = Path.of("/tmp/pluginhost-echo-x");
    List<String> plugin = JvmCommand.command(PluginSettings.defaults(), Path.of("runner.jar"), tmp);

    List<String> command = EchoServerCommand.forDefaults("/b/bench.jar", tmp, tmp.resolve("echo.sock"), ExecutorChoice.GRPC_DEFAULT);

    assertEquals(plugin.get(0), command.get(0));
    assertEquals(
        List.of("-cp", "/b/bench.jar", EchoServerMain.class.getName(), "/tmp/pluginhost-echo-x/echo.sock", "default"),
        command.subList(command.size() - 5, command.size()));
    for (String option : plugin.subList(0, plugin.indexOf("-cp"))) {
      if (!option.contains("SharedArchive") && !option.contains("AOT")) {
        assertTrue(command.contains(option), "missing " + option);
      }
    }
    assertFalse(command.contains(JvmCommand.RUNNER_MAIN));
  }
}
