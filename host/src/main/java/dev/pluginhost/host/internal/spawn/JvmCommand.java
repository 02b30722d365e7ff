package dev.pluginhost.host.internal.spawn;

import dev.pluginhost.host.PluginSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line and environment of a plugin JVM: everything it gets, said explicitly. Nothing
 * comes from the host's own JVM but what is written here.
 */
public final class JvmCommand {
  /** The runner's main class. */
  public static final String RUNNER_MAIN = "dev.pluginhost.runner.RunnerMain";

  private JvmCommand() {}

  /**
   * The command for one spawn.
   *
   * @param runnerJar the only classpath entry
   * @param tmpDirectory the plugin's {@code java.io.tmpdir}, also where Netty unpacks its native
   *     library
   */
  public static List<String> command(PluginSettings settings, Path runnerJar, Path tmpDirectory) {
    return command(settings, runnerJar, tmpDirectory, List.of());
  }

  /**
   * The command for one spawn, with {@code classDataOptions} (those of a {@link ClassDataArchive})
   * placed before the settings' own JVM options, which therefore win where they disagree.
   */
  public static List<String> command(
      PluginSettings settings, Path runnerJar, Path tmpDirectory, List<String> classDataOptions) {
    List<String> command = new ArrayList<>();
    command.add(settings.javaExecutable().toString());
    command.add("-Xmx" + settings.maxHeapMegabytes() + "m");
    command.add("-XX:MaxMetaspaceSize=" + settings.maxMetaspaceMegabytes() + "m");
    command.add("-XX:MaxDirectMemorySize=" + settings.maxDirectMemoryMegabytes() + "m");
    if (settings.threadStackKilobytes() > 0) {
      command.add("-Xss" + settings.threadStackKilobytes() + "k");
    }
    if (settings.activeProcessors() > 0) {
      command.add("-XX:ActiveProcessorCount=" + settings.activeProcessors());
    }
    // No core dumps: a crashing plugin must not write its heap, secrets and all, to disk.
    command.add("-XX:-CreateCoredumpOnCrash");
    // A JVM out of heap, metaspace or direct memory is in an unknown state: end it, so the host records the reason and
    // restarts it clean, rather than let it limp on.
    command.add("-XX:+ExitOnOutOfMemoryError");
    // No hsperfdata files in a shared /tmp for other processes to find.
    command.add("-XX:-UsePerfData");
    // Lean by default, for start-up time and resident memory (BENCHMARKS.md has the figures): one
    // GC thread, a heap that starts small and grows as the plugin needs, and the C1 compiler only.
    // C1's code is slower than C2's in long-running hot loops; a plugin that needs peak speed more
    // than a quick start adds -XX:TieredStopAtLevel=4 to its JVM options, which come last and win.
    command.add("-XX:+UseSerialGC");
    command.add("-Xms8m");
    command.add("-XX:TieredStopAtLevel=1");
    // No attach listener: nothing, not even another plugin's process as the same user, can load an
    // agent into this JVM or read its internals with jcmd.
    command.add("-XX:+DisableAttachMechanism");
    if (JdkRelease.of(settings.javaExecutable()).map(JdkRelease::feature).orElse(0) >= 24) {
      // Netty loads its epoll library with System.loadLibrary, which Java 24 and later warn about
      // on every start unless native access is enabled. Enabling it takes nothing away: a plugin
      // may load native code anyway (only warned about), and its process is the boundary that
      // protects the host. Not before 24: the option turns off the class-data archive's optimized
      // module handling, which costs start-up time, for no warning to silence.
      command.add("--enable-native-access=ALL-UNNAMED");
    }
    // A native crash's report lands where the host looks for it, not in the working directory.
    command.add("-XX:ErrorFile=" + tmpDirectory.resolve("hs_err_pid%p.log"));
    command.add("-Djava.io.tmpdir=" + tmpDirectory);
    command.add("-Dio.grpc.netty.shaded.io.netty.native.workdir=" + tmpDirectory);
    // Pooled buffers cost resident memory a plugin's small messages do not need.
    command.add("-Dio.grpc.netty.shaded.io.netty.allocator.type=unpooled");
    // With an empty environment, Java 17 would default to ASCII; plugins get UTF-8 on purpose.
    command.add("-Dfile.encoding=UTF-8");
    command.add("-Dsun.stdout.encoding=UTF-8");
    command.add("-Dsun.stderr.encoding=UTF-8");
    command.addAll(classDataOptions);
    command.addAll(settings.jvmOptions());
    command.add("-cp");
    command.add(runnerJar.toString());
    command.add(RUNNER_MAIN);
    return command;
  }

  /**
   * The plugin's environment: only the variables the settings name, with values from
   * {@code hostEnvironment} for inherited ones, then the explicit ones.
   */
  public static Map<String, String> environment(PluginSettings settings, Map<String, String> hostEnvironment) {
    Map<String, String> environment = new LinkedHashMap<>();
    for (String name : settings.inheritedEnvironment()) {
      String value = hostEnvironment.get(name);
      if (value != null) {
        environment.put(name, value);
      }
    }
    environment.putAll(settings.environment());
    return environment;
  }
}
