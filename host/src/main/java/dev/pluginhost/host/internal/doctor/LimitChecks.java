package dev.pluginhost.host.internal.doctor;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import dev.pluginhost.host.internal.spawn.OsLimits;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows on per-process limits: {@code prlimit}, {@code rlimit-nproc}, {@code jvm-limits} and
 * {@code jdk}.
 */
final class LimitChecks {
  static final String PRLIMIT = "prlimit";
  static final String NPROC = "rlimit-nproc";
  static final String JVM = "jvm-limits";
  static final String JDK = "jdk";

  private LimitChecks() {}

  /** Finds prlimit and runs {@code true} under exactly the limits a plugin would get. */
  static Protection prlimit(PluginSettings settings) {
    OsLimits limits = OsLimits.probe();
    if (limits == null) {
      return prlimit(null, null, settings);
    }
    String trueCommand = Files.isExecutable(Path.of("/bin/true")) ? "/bin/true" : "/usr/bin/true";
    return prlimit(limits.toString(), ShortCommand.run(limits.wrap(List.of(trueCommand), settings)), settings);
  }

  /**
   * The prlimit row.
   *
   * @param tool prlimit's path, or null if there is none
   * @param trial how a command under the settings' limits ended
   */
  static Protection prlimit(String tool, ShortCommand.Result trial, PluginSettings settings) {
    if (tool == null) {
      return new Protection(PRLIMIT, Protection.Status.NO, true,
          "prlimit not found: plugins keep the host's open-file and core-dump limits (the JVM still writes no core"
              + " of its own); on Debian: apt-get install util-linux");
    }
    if (!trial.succeeded()) {
      return new Protection(PRLIMIT, Protection.Status.NO, true,
          tool + " cannot set the limits here, so plugins fail to start (" + trial.output() + "); raise the host's"
              + " hard limit on open files (ulimit -Hn) to " + settings.maxOpenFiles() + " or lower maxOpenFiles");
    }
    String cpu = settings.cpuSecondsLimit() > 0
        ? "CPU " + settings.cpuSecondsLimit() + " s"
        : "CPU seconds when cpuSecondsLimit is set (unlimited by default)";
    return new Protection(PRLIMIT, Protection.Status.YES, true,
        tool + ": open files " + settings.maxOpenFiles() + ", core dumps off, " + cpu);
  }

  /**
   * The RLIMIT_NPROC row. The host does not set it (it counts every process of the user, the
   * host's own included); this says whether it could bound processes at all, since a fork bomb
   * outside a pids cgroup would meet nothing else.
   */
  static Protection nproc(HostIdentity identity) {
    if (identity.root()) {
      return new Protection(NPROC, Protection.Status.NO, false,
          "the host runs as root, for whom the kernel does not enforce RLIMIT_NPROC: only the pids cgroup bounds"
              + " a plugin's processes");
    }
    if (identity.has(HostIdentity.CAP_SYS_ADMIN) || identity.has(HostIdentity.CAP_SYS_RESOURCE)) {
      return new Protection(NPROC, Protection.Status.NO, false,
          "the host has CAP_SYS_ADMIN or CAP_SYS_RESOURCE, which exempt it from RLIMIT_NPROC: only the pids cgroup"
              + " bounds a plugin's processes");
    }
    return new Protection(NPROC, Protection.Status.YES, false,
        "enforced for uid " + identity.uid() + ", but per user, the host's own processes included, so the host does"
            + " not set it; the pids cgroup bounds each plugin");
  }

  /** The JVM's own limits, from the command line a plugin JVM gets: there on every machine. */
  static Protection jvm(PluginSettings settings) {
    List<String> command = JvmCommand.command(settings, Path.of("plugin-runner.jar"), Path.of("tmp"));
    List<String> flags = new ArrayList<>();
    for (String arg : command) {
      if (arg.startsWith("-Xmx") || arg.startsWith("-XX:MaxMetaspaceSize=")
          || arg.startsWith("-XX:MaxDirectMemorySize=") || arg.startsWith("-Xss")) {
        flags.add(arg);
      }
    }
    if (flags.stream().noneMatch(f -> f.startsWith("-Xss"))) {
      flags.add("stacks at the JVM's default (threadStackKilobytes sets -Xss)");
    }
    if (command.contains("-XX:+ExitOnOutOfMemoryError")) {
      flags.add("exits on OutOfMemoryError");
    }
    return new Protection(JVM, Protection.Status.YES, true, String.join(", ", flags));
  }

  /** The JDK the host runs on, and the java launcher plugins get. */
  static Protection jdk(PluginSettings settings) {
    Path java = settings.javaExecutable();
    String here = "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ") in "
        + System.getProperty("java.home");
    if (!Files.isExecutable(java)) {
      return new Protection(JDK, Protection.Status.NO, true,
          here + "; but plugins' java launcher " + java + " is not executable: install a full JDK or set javaExecutable");
    }
    return new Protection(JDK, Protection.Status.YES, true, here + "; plugins run " + java);
  }
}
