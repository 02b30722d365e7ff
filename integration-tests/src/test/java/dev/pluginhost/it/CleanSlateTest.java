package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.it.support.RunningHost;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin JVM inherits nothing from the host's: not its environment, system properties, open
 * files, classpath, stdin or working directory. The probe sample reports what it can see.
 */
class CleanSlateTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final String CANARY_PROPERTY = "pluginhost.test.canary";

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle probe;
  private static RandomAccessFile heldOpen;
  private static Path heldOpenPath;

  @BeforeAll
  static void startHostWithSecretsOfItsOwn() throws Exception {
    System.setProperty(CANARY_PROPERTY, "set-only-in-the-test-jvm");
    heldOpenPath = Files.writeString(tempDir.resolve("held-open-by-the-host.txt"), "secret");
    heldOpen = new RandomAccessFile(heldOpenPath.toFile(), "r");
    running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("probe", s -> s.inheritEnvironment("PATH").environment("PROBE_GIVEN", "on purpose")),
            "probe");
    probe = running.plugin("probe");
  }

  @AfterAll
  static void stopHost() throws Exception {
    try {
      if (running != null) {
        running.close();
      }
    } finally {
      heldOpen.close();
      System.clearProperty(CANARY_PROPERTY);
    }
  }

  @Test
  void environment_holdsOnlyWhatTheHostPassesOnPurpose() {
    assertEquals("canary-in-the-test-jvm", System.getenv("PLUGINHOST_TEST_CANARY"), "precondition: Maven sets it");
    Map<String, String> env = keyValues(probe.callText("env", "", TIMEOUT));
    assertEquals(Map.of("PATH", System.getenv("PATH"), "PROBE_GIVEN", "on purpose"), env);
  }

  @Test
  void systemProperties_includeNoneOfTheHosts() {
    Map<String, String> properties = keyValues(probe.callText("properties", "", TIMEOUT));
    assertAll(
        () -> assertFalse(properties.containsKey(CANARY_PROPERTY), "a property set in the host leaked"),
        () -> assertFalse(properties.containsKey("pluginhost.samples.plugins"), "a Maven-set property leaked"),
        () -> assertEquals("UTF-8", properties.get("file.encoding")));
  }

  @Test
  void openFiles_areOnlyStdinStdoutStderrAndTheJvmsOwn() {
    Map<String, String> fds = keyValues(probe.callText("fds", "", TIMEOUT));
    assertAll(
        () -> assertFalse(fds.containsValue(heldOpenPath.toString()), "a file the host holds open leaked: " + fds),
        () -> assertTrue(fds.get("0").startsWith("pipe:"), "stdin is the host's pipe: " + fds.get("0")),
        () -> assertTrue(fds.get("1").startsWith("pipe:"), "stdout is drained by the host: " + fds.get("1")),
        () -> assertTrue(fds.get("2").startsWith("pipe:"), "stderr is drained by the host: " + fds.get("2")));
  }

  @Test
  void classpath_isTheRunnerJarAlone() {
    String classpath = keyValues(probe.callText("properties", "", TIMEOUT)).get("java.class.path");
    assertTrue(
        classpath.matches(".*/plugin-runner-[0-9a-f]{16}\\.jar"),
        "expected only the runner jar, got " + classpath);
    assertFalse(classpath.contains(":"), classpath);
  }

  @Test
  void pluginClassLoader_seesNeitherTheHostNorTheRunnersLibraries() {
    assertAll(
        () -> assertEquals("no", probe.callText("canLoad", "dev.pluginhost.host.PluginHost", TIMEOUT)),
        () -> assertEquals("no", probe.callText("canLoad", "dev.pluginhost.runner.RunnerMain", TIMEOUT)),
        () -> assertEquals("no", probe.callText("canLoad", "io.grpc.Status", TIMEOUT)),
        () -> assertEquals("no", probe.callText("canLoad", "com.google.protobuf.Message", TIMEOUT)),
        () -> assertEquals("yes", probe.callText("canLoad", "dev.pluginhost.plugin.api.Plugin", TIMEOUT)),
        () -> assertEquals("yes", probe.callText("canLoad", "java.sql.Connection", TIMEOUT)));
  }

  @Test
  void pluginsOwnGuava_isTheOneInItsLibFolder() {
    String location = probe.callText("guava", "", TIMEOUT);
    assertTrue(location.endsWith("/probe/lib/guava-31.1-jre.jar"), location);
  }

  @Test
  void stdin_refusesToBeRead_sayingNothingIsInherited() {
    // Not an empty stream: a worker that reads its jobs from stdin must not run on as if it had none.
    PluginCallException e = assertThrows(PluginCallException.class, () -> probe.callText("stdin", "", TIMEOUT));
    assertTrue(e.getMessage().contains("read standard input, which no one writes to"), e.getMessage());
  }

  @Test
  void workingAndTemporaryDirectories_areTheSpawnsOwn() {
    Map<String, String> dirs = keyValues(probe.callText("dirs", "", TIMEOUT));
    Path work = tempDir.resolve("work").toAbsolutePath();
    assertAll(
        () -> assertTrue(dirs.get("cwd").startsWith(work.toString()), dirs.toString()),
        () -> assertTrue(dirs.get("tmp").startsWith(dirs.get("cwd")), dirs.toString()),
        () -> assertEquals("true", dirs.get("dataWritable")));
  }

  private static Map<String, String> keyValues(String lines) {
    return Arrays.stream(lines.split("\n"))
        .filter(line -> !line.isEmpty())
        .map(line -> line.split("=", 2))
        .collect(Collectors.toMap(kv -> kv[0], kv -> kv.length > 1 ? kv[1] : ""));
  }
}
