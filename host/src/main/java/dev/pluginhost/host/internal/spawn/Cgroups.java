package dev.pluginhost.host.internal.spawn;

import dev.pluginhost.host.PluginSettings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Limits on a plugin's whole process tree with cgroups (version 1 hierarchies, where this host may
 * write them): a pids cgroup bounds its threads and processes (a thread bomb or fork bomb stops at
 * the limit, and the cgroup counts the refusals, so the host can tell), a memory cgroup bounds all
 * its memory (the kernel kills it past the limit). Each spawn gets cgroups of its own, made inside
 * the host's own, and joins them before the JVM starts. Their member list is also how the host
 * finds every process of a plugin to kill, however it tried to escape.
 */
public final class Cgroups {
  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);
  private static final Path ROOT = Path.of("/sys/fs/cgroup");
  /** How long {@link Group#remove()} keeps killing and retrying before it gives up on a group. */
  private static final long REMOVE_WITHIN_NANOS = TimeUnit.SECONDS.toNanos(2);

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

  /** Whether spawns get a pids cgroup, so a limit on their threads and processes. */
  public boolean limitsTasks() {
    return pidsBase != null;
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
    Path pids = null;
    Path memory = null;
    if (pidsBase != null) {
      pids = Files.createDirectories(pidsBase.resolve(name));
      Files.writeString(pids.resolve("pids.max"), Integer.toString(settings.maxTasks()));
      dirs.add(pids);
    }
    if (memoryBase != null && settings.maxMemoryMegabytes() > 0) {
      memory = Files.createDirectories(memoryBase.resolve(name));
      Files.writeString(memory.resolve("memory.limit_in_bytes"), settings.maxMemoryMegabytes() + "M");
      dirs.add(memory);
    }
    return new Group(dirs, pids, memory, settings.maxMemoryMegabytes());
  }

  /**
   * The cgroups of one spawn. Thread-safe: {@link #killAll()} may race with {@link #remove()} and
   * with itself.
   */
  public static final class Group {
    private final List<Path> dirs;
    private final Path pids;
    private final Path memory;
    private final int memoryLimitMegabytes;
    /** Refusals at the task limit when killing began, or -1 before; see {@link #taskLimitHits()}. */
    private long hitsBeforeKill = -1;

    Group(List<Path> dirs, Path pids, Path memory, int memoryLimitMegabytes) {
      this.dirs = List.copyOf(dirs);
      this.pids = pids;
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

    /**
     * SIGKILLs every process in these cgroups: the plugin's whole tree, escapees included. First
     * it sets the pids limit to zero, so nothing in the group can start a process while it kills
     * (a fork bomb would otherwise refill the group as fast as it is emptied). One pass, without
     * waiting for the processes to end; {@link #remove()} waits. Any thread may call it, any
     * number of times.
     */
    public void killAll() {
      closeToNewTasks();
      killListed();
    }

    /** Kills what the groups list now; returns how many processes it found. */
    private int killListed() {
      int found = 0;
      for (Path dir : dirs) {
        try {
          for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
            if (!pid.isBlank()) {
              found++;
              ProcessHandle.of(Long.parseLong(pid.trim())).ifPresent(ProcessHandle::destroyForcibly);
            }
          }
        } catch (IOException | NumberFormatException e) {
          log.debug("cannot list {}", dir, e);
        }
      }
      return found;
    }

    private void closeToNewTasks() {
      if (pids == null) {
        return;
      }
      synchronized (this) {
        if (hitsBeforeKill >= 0) {
          return;
        }
        // Read before closing: from now on every refusal is the host's doing, not the plugin's.
        hitsBeforeKill = readTaskLimitHits();
        try {
          Files.writeString(pids.resolve("pids.max"), "0");
        } catch (IOException e) {
          log.debug("cannot close {} to new tasks", pids, e);
        }
      }
    }

    /**
     * How many times the kernel refused the plugin a new thread or process because its group was
     * at the task limit ({@code max} in {@code pids.events}); 0 if it never was, or if there is no
     * pids cgroup. Counts only refusals from before the host began to kill the group.
     */
    public long taskLimitHits() {
      synchronized (this) {
        if (hitsBeforeKill >= 0) {
          return hitsBeforeKill;
        }
      }
      return readTaskLimitHits();
    }

    private long readTaskLimitHits() {
      if (pids == null) {
        return 0;
      }
      try {
        for (String line : Files.readAllLines(pids.resolve("pids.events"), StandardCharsets.US_ASCII)) {
          if (line.startsWith("max ")) {
            return Long.parseLong(line.substring(4).trim());
          }
        }
      } catch (IOException | NumberFormatException e) {
        // pids.events came with Linux 4.6; an older kernel simply cannot say.
        log.debug("cannot read {}", pids, e);
      }
      return 0;
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

    /**
     * Kills whatever is left in the cgroups and removes them. Call it once the plugin's main
     * process has ended. Blocks until the groups are empty and gone, for at most two seconds:
     * killed processes take a moment to leave, and a group still listing one cannot be removed.
     * Past that it logs a warning and leaves the group behind.
     */
    public void remove() {
      closeToNewTasks();
      long deadline = System.nanoTime() + REMOVE_WITHIN_NANOS;
      List<Path> left = new ArrayList<>(dirs);
      while (true) {
        killListed();
        left.removeIf(dir -> {
          try {
            Files.deleteIfExists(dir);
            return true;
          } catch (IOException busy) {
            return false;
          }
        });
        if (left.isEmpty()) {
          return;
        }
        if (System.nanoTime() - deadline >= 0) {
          log.warn("cannot remove cgroups {}: processes linger in them after SIGKILL", left);
          return;
        }
        // cgroup v1 sends no event when a group empties; its member list is all there is to poll.
        try {
          TimeUnit.MILLISECONDS.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          log.warn("interrupted while removing cgroups {}", left);
          return;
        }
      }
    }
  }
}
