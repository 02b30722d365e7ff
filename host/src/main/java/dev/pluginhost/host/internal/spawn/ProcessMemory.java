package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The resident memory of a process tree, from Linux's {@code /proc}. The JVM of a plugin may be a
 * descendant of the process the host spawned (a sandbox, a limit wrapper), so the tree is summed:
 * pages shared between its processes (libraries) count once per process, as {@code ps} counts them.
 */
public final class ProcessMemory {
  private ProcessMemory() {}

  /**
   * The resident memory of {@code pid} and all its descendants now, in bytes; -1 if unknown (the
   * process is gone, or this is not Linux). Reads a file per process: keep it off hot paths and
   * out of locks.
   */
  public static long residentBytes(long pid) {
    Optional<ProcessHandle> root = ProcessHandle.of(pid);
    if (pid <= 0 || root.isEmpty()) {
      return -1;
    }
    long total = residentBytesOf(pid);
    if (total < 0) {
      return -1;
    }
    for (ProcessHandle descendant : root.get().descendants().toList()) {
      // One that exits meanwhile, or a kernel thread, has no resident size to add.
      total += Math.max(0, residentBytesOf(descendant.pid()));
    }
    return total;
  }

  /** One process's VmRSS, in bytes; -1 if it cannot be read. */
  static long residentBytesOf(long pid) {
    try {
      return parseVmRss(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** The VmRSS line of a {@code /proc/PID/status}, in bytes; -1 if there is none. */
  static long parseVmRss(List<String> statusLines) {
    for (String line : statusLines) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split("\\s+");
        long value = Long.parseLong(parts[0]);
        return parts.length > 1 && parts[1].equalsIgnoreCase("kB") ? value * 1024 : value;
      }
    }
    return -1;
  }
}
