package dev.pluginhost.host.internal.spawn;

import dev.pluginhost.host.PluginSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits on a plugin's whole process tree with cgroups (version 1 hierarchies, where this host may
 * write them): a pids cgroup bounds its threads and processes (a thread bomb or fork bomb stops at
 * the limit), a memory cgroup bounds all its memory (the kernel kills it past the limit). Each
 * spawn gets cgroups of its own, made inside the host's own, and joins them before the JVM starts.
 * Their member list is also how the host finds every process of a plugin to kill, however it tried
 * to escape.
 */
public final class Cgroups {
  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
  private static final Path ROOT = Path.of("/sys/fs/cgroup");

  private final Path pidsBase;
  private final Path memoryBase;

  private Cgroups(Path pidsBase, Path memoryBase) {
    this.pidsBase = pidsBase;
    this.memoryBase = memoryBase;
  }

  /** The cgroups this host can make, or null with the reason logged, if none. */
  public static Cgroups probe() {
    Path pids = ownHierarchy("pids");
    Path memory = ownHierarchy("memory");
    if (pids == null && memory == null) {
      return null;
    }
    return new Cgroups(pids, memory);
  }

  /** What this machine offers, in a sentence, for the doctor and the logs. */
  public String describe() {
    return "cgroup v1: " + (pidsBase != null ? "pids under " + pidsBase : "no pids limit")
        + ", " + (memoryBase != null ? "memory under " + memoryBase : "no memory limit");
  }

  /** Where each spawn's pids cgroup is made, or null if this host sets no pids limit. */
  public Path pidsBase() {
    return pidsBase;
  }

  /** Where each spawn's memory cgroup is made, or null if this host sets no memory limit. */
  public Path memoryBase() {
    return memoryBase;
  }

  /**
   * The host's own cgroup in the v1 hierarchy of {@code controller} (such as "pids"), writable or
   * not; null if that hierarchy is not mounted under /sys/fs/cgroup or this process is not in it.
   */
  public static Path ownGroup(String controller) {
    Path mount = ROOT.resolve(controller);
    if (!Files.isRegularFile(mount.resolve("cgroup.procs"))) {
      return null;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
        String[] parts = line.split(":", 3);
        if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
          return mount.resolve(parts[2].substring(1));
        }
      }
    } catch (IOException e) {
      log.debug("cannot read /proc/self/cgroup", e);
    }
    return null;
  }

  /** The host's own cgroup in a v1 hierarchy, if that hierarchy is mounted and writable there. */
  private static Path ownHierarchy(String controller) {
    Path own = ownGroup(controller);
    return own != null && Files.isWritable(own) ? own : null;
  }

  /** Makes the cgroups of one spawn, named {@code name}, with the settings' limits. */
  public Group create(String name, PluginSettings settings) throws IOException {
    List<Path> dirs = new ArrayList<>();
    Path memory = null;
    if (pidsBase != null) {
      Path dir = Files.createDirectories(pidsBase.resolve(name));
      Files.writeString(dir.resolve("pids.max"), Integer.toString(settings.maxTasks()));
      dirs.add(dir);
    }
    if (memoryBase != null && settings.maxMemoryMegabytes() > 0) {
      memory = Files.createDirectories(memoryBase.resolve(name));
      Files.writeString(memory.resolve("memory.limit_in_bytes"), settings.maxMemoryMegabytes() + "M");
      dirs.add(memory);
    }
    return new Group(dirs, memory, settings.maxMemoryMegabytes());
  }

  /** The cgroups of one spawn. */
  public static final class Group {
    private final List<Path> dirs;
    private final Path memory;
    private final int memoryLimitMegabytes;

    Group(List<Path> dirs, Path memory, int memoryLimitMegabytes) {
      this.dirs = List.copyOf(dirs);
      this.memory = memory;
      this.memoryLimitMegabytes = memoryLimitMegabytes;
    }

    /** {@code command}, joining these cgroups first (through sh, which then executes it). */
    public List<String> wrap(List<String> command) {
      if (dirs.isEmpty()) {
        return command;
      }
      List<String> args = new ArrayList<>();
      args.add("/bin/sh");
      args.add("-c");
      args.add("while [ \"$1\" != -- ]; do echo $$ > \"$1/cgroup.procs\" || exit 97; shift; done; shift; exec \"$@\"");
      args.add("pluginhost-join-cgroups");
      dirs.forEach(d -> args.add(d.toString()));
      args.add("--");
      args.addAll(command);
      return args;
    }

    /** SIGKILLs every process in these cgroups: the plugin's whole tree, escapees included. */
    public void killAll() {
      for (Path dir : dirs) {
        try {
          for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
            if (!pid.isBlank()) {
              ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
        } catch (IOException | NumberFormatException e) {
          log.debug("cannot list {}", dir, e);
        }
      }
    }

    /** Whether the kernel killed a process of the group for going over the memory limit. */
    public Optional<String> memoryKill() {
      if (memory == null) {
        return Optional.empty();
      }
      try {
        for (String line : Files.readAllLines(memory.resolve("memory.oom_control"))) {
          if (line.startsWith("oom_kill ") && !line.trim().equals("oom_kill 0")) {
            return Optional.of("was killed by the kernel: over its " + memoryLimitMegabytes + " MiB memory limit");
          }
        }
      } catch (IOException e) {
        log.debug("cannot read {}", memory, e);
      }
      return Optional.empty();
    }

    /** Removes the cgroups; they must be empty, so call it once the tree is gone. */
    public void remove() {
      killAll();
      for (Path dir : dirs) {
        try {
          Files.deleteIfExists(dir);
        } catch (IOException e) {
          log.debug("cannot remove {} (a process may linger in it)", dir, e);
        }
      }
    }
  }
}
