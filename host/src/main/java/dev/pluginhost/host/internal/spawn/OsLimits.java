package dev.pluginhost.host.internal.spawn;

import dev.pluginhost.host.PluginSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Per-process resource limits set with util-linux's {@code prlimit}, which sets them and then
 * executes the command, so they hold from the JVM's first instruction: open files, core dumps
 * (none) and, when configured, CPU seconds. Limits on address space are deliberately not used: a
 * JVM reserves far more than it uses and would not start (heap and native memory are bounded by
 * JVM flags and the memory cgroup instead).
 */
public final class OsLimits {
  private final Path prlimit;

  private OsLimits(Path prlimit) {
    this.prlimit = prlimit;
  }

  /** The limits tool of this machine, or null if it has none. */
  public static OsLimits probe() {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, "prlimit");
      if (Files.isExecutable(candidate)) {
        return new OsLimits(candidate);
      }
    }
    return null;
  }

  /** {@code command} run under the settings' limits. */
  public List<String> wrap(List<String> command, PluginSettings settings) {
    List<String> args = new ArrayList<>();
    args.add(prlimit.toString());
    args.add("--nofile=" + settings.maxOpenFiles() + ":" + settings.maxOpenFiles());
    args.add("--core=0:0");
    if (settings.cpuSecondsLimit() > 0) {
      // SIGXCPU at the soft limit, SIGKILL a second later if the JVM survived it.
      args.add("--cpu=" + settings.cpuSecondsLimit() + ":" + (settings.cpuSecondsLimit() + 1));
    }
    args.add("--");
    args.addAll(command);
    return args;
  }

  @Override
  public String toString() {
    return prlimit.toString();
  }
}
