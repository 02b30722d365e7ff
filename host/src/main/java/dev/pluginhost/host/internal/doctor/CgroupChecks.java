package dev.pluginhost.host.internal.doctor;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.spawn.Cgroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code pids-cgroup} and {@code memory-cgroup} rows: whether the host can give each plugin
 * cgroups of its own, as {@link Cgroups} makes them (version 1 hierarchies only).
 */
final class CgroupChecks {
  static final String PIDS = "pids-cgroup";
  static final String MEMORY = "memory-cgroup";

  /**
   * What the host found about one controller.
   *
   * @param base where spawns' groups go, or null if the host sets no such limit
   * @param ownGroup the host's own group in that v1 hierarchy, writable or not; null if none
   * @param unifiedOnly whether /sys/fs/cgroup is a cgroup v2 (unified) mount
   * @param uid the host's user
   */
  record Found(Path base, Path ownGroup, boolean unifiedOnly, long uid) {}

  private CgroupChecks() {}

  /** @param cgroups what {@link Cgroups#probe()} found, or null */
  static Protection pids(Cgroups cgroups, PluginSettings settings, HostIdentity identity) {
    return pids(found(cgroups == null ? null : cgroups.pidsBase(), "pids", identity), settings.maxTasks());
  }

  /** @param cgroups what {@link Cgroups#probe()} found, or null */
  static Protection memory(Cgroups cgroups, PluginSettings settings, HostIdentity identity) {
    return memory(found(cgroups == null ? null : cgroups.memoryBase(), "memory", identity),
        settings.maxMemoryMegabytes(), swapKilobytes());
  }

  static Protection pids(Found found, int maxTasks) {
    if (found.base() == null) {
      return new Protection(PIDS, Protection.Status.NO, maxTasks > 0,
          missing(found, "pids", "no bound on a plugin's threads and processes (a thread or fork bomb)"));
    }
    return new Protection(PIDS, Protection.Status.YES, maxTasks > 0,
        "cgroup v1: a group per plugin under " + found.base() + ", pids.max " + maxTasks
            + " (maxTasks): a thread or fork bomb stops there");
  }

  /** @param swapKilobytes the machine's swap, which a v1 memory limit without memsw does not cover */
  static Protection memory(Found found, int maxMemoryMegabytes, long swapKilobytes) {
    boolean used = maxMemoryMegabytes > 0;
    if (found.base() == null) {
      return new Protection(MEMORY, Protection.Status.NO, used,
          missing(found, "memory", "no bound on a plugin's whole memory (the JVM flags still bound its heap and"
              + " off-heap buffers, not native memory or child processes)"));
    }
    String bound = "cgroup v1: a group per plugin under " + found.base() + ", " + maxMemoryMegabytes
        + " MiB (maxMemoryMegabytes) for its whole process tree; past it the kernel kills it";
    if (swapKilobytes > 0) {
      return new Protection(MEMORY, Protection.Status.PARTIAL, used,
          bound + "; but the limit covers RAM only and this machine has " + swapKilobytes / 1024
              + " MiB of swap a plugin may fill too (swapoff, or a memory.memsw limit)");
    }
    return new Protection(MEMORY, Protection.Status.YES, used, bound);
  }

  private static String missing(Found found, String controller, String consequence) {
    if (found.ownGroup() != null) {
      return "cgroup v1 group " + found.ownGroup() + " is not writable by uid " + found.uid() + ", so " + consequence
          + "; run the host as root or give its user that group (chown -R)";
    }
    if (found.unifiedOnly()) {
      return "this machine has cgroup v2 only (/sys/fs/cgroup), and the host makes v1 groups only, so " + consequence
          + "; a hybrid boot (systemd.unified_cgroup_hierarchy=0) gives v1";
    }
    return "no cgroup v1 " + controller + " hierarchy at /sys/fs/cgroup/" + controller + ", so " + consequence
        + "; mount one (mount -t cgroup -o " + controller + " cgroup /sys/fs/cgroup/" + controller + ")";
  }

  private static Found found(Path base, String controller, HostIdentity identity) {
    boolean unifiedOnly = Files.isRegularFile(Path.of("/sys/fs/cgroup/cgroup.controllers"));
    return new Found(base, Cgroups.ownGroup(controller), unifiedOnly, identity.uid());
  }

  private static long swapKilobytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("SwapTotal:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      // Taken as no swap.
    }
    return 0;
  }
}
