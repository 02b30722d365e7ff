package dev.pluginhost.host.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginSettings;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class JvmCommandTest {
  private static final Path RUNNER_JAR = Path.of("/cache/plugin-runner-abc.jar");
  private static final Path TMP = Path.of("/run/plugin/tmp");

  @Test
  void environment_holdsOnlyAllowlistedHostVariablesAndExplicitOnes() {
    PluginSettings settings =
        PluginSettings.builder().inheritEnvironment("PATH", "LANG", "NOT_SET_ON_HOST").environment("FOO", "bar").build();
    Map<String, String> host = Map.of("PATH", "/usr/bin", "LANG", "C", "HOME", "/root", "AWS_SECRET", "s3cr3t");

    Map<String, String> environment = JvmCommand.environment(settings, host);

    assertEquals(Map.of("PATH", "/usr/bin", "LANG", "C", "FOO", "bar"), environment);
  }

  @Test
  void environment_explicitValue_winsOverInheritedOne() {
    PluginSettings settings = PluginSettings.builder().inheritEnvironment("LANG").environment("LANG", "C.UTF-8").build();

    Map<String, String> environment = JvmCommand.environment(settings, Map.of("LANG", "de_DE"));

    assertEquals(Map.of("LANG", "C.UTF-8"), environment);
  }

  @Test
  void environment_byDefault_isEmpty() {
    Map<String, String> environment = JvmCommand.environment(PluginSettings.defaults(), System.getenv());

    assertEquals(Map.of(), environment);
  }

  @Test
  void command_startsWithJava_setsHeap_andEndsWithRunnerJarAndMain() {
    PluginSettings settings =
        PluginSettings.builder().javaExecutable(Path.of("/opt/jdk/bin/java")).maxHeapMegabytes(64).build();

    List<String> command = JvmCommand.command(settings, RUNNER_JAR, TMP);

    assertEquals("/opt/jdk/bin/java", command.get(0));
    assertTrue(command.contains("-Xmx64m"), command.toString());
    assertEquals(1, command.stream().filter(a -> a.startsWith("-Xmx")).count(), command.toString());
    assertEquals(List.of("-cp", RUNNER_JAR.toString(), JvmCommand.RUNNER_MAIN), command.subList(command.size() - 3, command.size()));
    assertEquals(1, command.stream().filter(a -> a.equals("-cp") || a.equals("-classpath")).count(), command.toString());
  }

  @Test
  void command_includesUserJvmOptions_inOrder_beforeClasspath() {
    PluginSettings settings = PluginSettings.builder().addJvmOptions("-Xss512k", "-Dplugin.flag=on").build();

    List<String> command = JvmCommand.command(settings, RUNNER_JAR, TMP);

    int first = command.indexOf("-Xss512k");
    int second = command.indexOf("-Dplugin.flag=on");
    assertTrue(first > 0 && second == first + 1, command.toString());
    assertTrue(second < command.indexOf("-cp"), command.toString());
  }

  @Test
  void command_setsPluginTmpDirectory() {
    List<String> command = JvmCommand.command(PluginSettings.defaults(), RUNNER_JAR, TMP);

    assertTrue(command.contains("-Djava.io.tmpdir=" + TMP), command.toString());
  }

  @Test
  void command_passesNoHostSystemProperties() {
    System.setProperty("pluginhost.test.secret", "do-not-leak");
    try {
      List<String> command = JvmCommand.command(PluginSettings.defaults(), RUNNER_JAR, TMP);

      Set<String> properties =
          command.stream()
              .filter(a -> a.startsWith("-D"))
              .map(a -> a.substring(2, a.indexOf('=')))
              .collect(Collectors.toSet());
      assertEquals(
          Set.of(
              "java.io.tmpdir",
              "io.grpc.netty.shaded.io.netty.native.workdir",
              "io.grpc.netty.shaded.io.netty.allocator.type",
              "file.encoding",
              "sun.stdout.encoding",
              "sun.stderr.encoding"),
          properties);
      String joined = String.join(" ", command);
      assertFalse(joined.contains("do-not-leak"), joined);
      assertFalse(joined.contains(System.getProperty("java.class.path")), joined);
      assertFalse(joined.contains("-javaagent"), joined);
    } finally {
      System.clearProperty("pluginhost.test.secret");
    }
  }

  @Test
  void classDataOptions_comeBeforeTheSettingsOwnOptions_soTheSettingsWin() {
    PluginSettings settings = PluginSettings.builder().addJvmOptions("-Xshare:off").build();

    List<String> command = JvmCommand.command(settings, RUNNER_JAR, TMP, List.of("-XX:SharedArchiveFile=/a.jsa"));

    assertTrue(command.indexOf("-XX:SharedArchiveFile=/a.jsa") < command.indexOf("-Xshare:off"));
    assertEquals(List.of("-cp", RUNNER_JAR.toString(), JvmCommand.RUNNER_MAIN), command.subList(command.size() - 3, command.size()));
  }

  @Test
  void nativeAccess_isEnabledOnlyForJdksThatWarnWithoutIt(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
    Path java17 = fakeJdk(temp.resolve("jdk17"), "17.0.15");
    Path java25 = fakeJdk(temp.resolve("jdk25"), "25.0.1");

    List<String> on17 = JvmCommand.command(PluginSettings.builder().javaExecutable(java17).build(), RUNNER_JAR, TMP);
    List<String> on25 = JvmCommand.command(PluginSettings.builder().javaExecutable(java25).build(), RUNNER_JAR, TMP);

    assertFalse(on17.contains("--enable-native-access=ALL-UNNAMED"), on17.toString());
    assertTrue(on25.contains("--enable-native-access=ALL-UNNAMED"), on25.toString());
  }

  private static Path fakeJdk(Path home, String version) throws java.io.IOException {
    java.nio.file.Files.createDirectories(home.resolve("bin"));
    java.nio.file.Files.writeString(home.resolve("release"), "JAVA_VERSION=\"" + version + "\"\n");
    return java.nio.file.Files.writeString(home.resolve("bin").resolve("java"), "");
  }

  @Test
  void byDefault_aPluginJvmStartsLean_withoutAnAttachListener_andItsOwnOptionsComeLast() {
    PluginSettings settings = PluginSettings.builder().addJvmOptions("-XX:TieredStopAtLevel=4").build();

    List<String> command = JvmCommand.command(settings, RUNNER_JAR, TMP);

    assertTrue(command.containsAll(List.of("-XX:+UseSerialGC", "-Xms8m", "-XX:+DisableAttachMechanism")), command.toString());
    assertTrue(command.indexOf("-XX:TieredStopAtLevel=1") < command.indexOf("-XX:TieredStopAtLevel=4"), command.toString());
  }
}
