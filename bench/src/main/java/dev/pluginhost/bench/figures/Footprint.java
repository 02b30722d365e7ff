package dev.pluginhost.bench.figures;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.ProcessInfo;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Memory and threads: of this JVM, and of a plugin's processes, read from {@code /proc}. */
final class Footprint {
  static final double MIB = 1 << 20;

  private Footprint() {}

  /**
   * This JVM after a full collection.
   *
   * @param heapUsed heap in use, in bytes
   * @param resident its resident size (VmRSS), in bytes; -1 if unknown
   * @param threads live threads
   */
  record Self(long heapUsed, long resident, int threads) {}

  /** This JVM's footprint, after asking twice for a full collection and a short pause. */
  static Self self() throws InterruptedException {
    for (int i = 0; i < 2; i++) {
      System.gc();
      Thread.sleep(100);
    }
    Runtime runtime = Runtime.getRuntime();
    return new Self(
        runtime.totalMemory() - runtime.freeMemory(),
        residentBytes(ProcessHandle.current().pid()),
        ManagementFactory.getThreadMXBean().getThreadCount());
  }

  /**
   * The resident sizes of a plugin's serving processes: each process tree (as the host counts it,
   * the sandbox with the JVM), and each plugin JVM alone (the process of the tree with the
   * largest resident size: the JVM, not the sandbox's small launcher).
   */
  record Plugin(List<Long> trees, List<Long> jvms) {}

  static Plugin plugin(PluginHandle plugin) {
    List<Long> trees = new ArrayList<>();
    List<Long> jvms = new ArrayList<>();
    for (ProcessInfo process : plugin.processes()) {
      trees.add(process.residentBytes());
      Optional<ProcessHandle> handle = ProcessHandle.of(process.pid());
      long largest = residentBytes(process.pid());
      if (handle.isPresent()) {
        try (Stream<ProcessHandle> below = handle.get().descendants()) {
          for (ProcessHandle child : below.toList()) {
            largest = Math.max(largest, residentBytes(child.pid()));
          }
        }
      }
      jvms.add(largest);
    }
    return new Plugin(trees, jvms);
  }

  /**
   * The proportional set size (PSS) of a process and its descendants in bytes: each page counted
   * as its share among the processes that map it. Plugin JVMs share the JDK's library and the
   * runner's class-data archive, so their PSS sums to what they really take together, where their
   * resident sizes count the shared pages once for each.
   */
  static long treeProportionalBytes(long pid) {
    long total = proportionalBytes(pid);
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isPresent()) {
      try (Stream<ProcessHandle> below = handle.get().descendants()) {
        for (ProcessHandle child : below.toList()) {
          total += Math.max(0, proportionalBytes(child.pid()));
        }
      }
    }
    return total;
  }

  /** The {@code Pss} of {@code /proc/PID/smaps_rollup} in bytes, or 0 if it cannot be read. */
  static long proportionalBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup"))) {
        if (line.startsWith("Pss:")) {
          String[] words = line.substring("Pss:".length()).trim().split("\\s+");
          return Long.parseLong(words[0]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone, or not readable: counted as nothing.
    }
    return 0;
  }

  /** VmRSS of {@code pid} in bytes, or -1 if it cannot be read. */
  static long residentBytes(long pid) {
    try {
      return parseVmRss(Files.readString(Path.of("/proc", Long.toString(pid), "status")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * The {@code VmRSS} line of a {@code /proc/PID/status} text, in bytes; -1 if it has none (a
   * zombie, a kernel thread).
   */
  static long parseVmRss(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] words = line.substring("VmRSS:".length()).trim().split("\\s+");
        if (words.length != 2 || !words[1].equals("kB")) {
          throw new IllegalArgumentException("unexpected VmRSS line: " + line);
        }
        return Long.parseLong(words[0]) * 1024;
      }
    }
    return -1;
  }
}
