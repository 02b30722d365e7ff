package dev.pluginhost.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Watches processes that are not this JVM's children. Linux offers no event for those, so this
 * reads /proc with a short period until a deadline.
 */
public final class Processes {
  private static final long POLL_MILLIS = 10;

  private Processes() {}

  /**
   * Whether a process has ended. A zombie counts as ended: it runs no code and holds no files,
   * it only waits for its (adoptive) parent to reap it, which on some machines' init takes
   * seconds.
   */
  public static boolean hasEnded(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // The state follows the command name, which is in parentheses and may hold spaces.
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state == 'Z' || state == 'X';
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException e) {
      // A process that ends while its stat is read fails the read with ESRCH ("No such process").
      if (!Files.exists(Path.of("/proc", Long.toString(pid)))) {
        return true;
      }
      throw new IllegalStateException("cannot read /proc for pid " + pid, e);
    }
  }

  /**
   * The live processes whose command line holds {@code fragment}, in the whole machine as this
   * JVM's /proc shows it (sandboxed processes included). A zombie has no command line, so none is
   * listed.
   */
  public static List<Long> withCommandLine(String fragment) {
    List<Long> found = new ArrayList<>();
    try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        String name = entry.getFileName().toString();
        if (!name.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String commandLine = new String(Files.readAllBytes(entry.resolve("cmdline")), StandardCharsets.UTF_8);
          if (commandLine.contains(fragment)) {
            found.add(Long.parseLong(name));
          }
        } catch (IOException ended) {
          // Gone between listing and reading.
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc", e);
    }
    return found;
  }

  /**
   * Waits until no live process's command line holds {@code fragment} or the time is up; returns
   * those still running. Unlike waiting on pids, a pid reused meanwhile cannot fool it.
   */
  public static List<Long> awaitNoneWithCommandLine(String fragment, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<Long> running = withCommandLine(fragment);
      if (running.isEmpty() || System.nanoTime() - deadline >= 0) {
        return running;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * SIGKILLs every process whose command line holds {@code fragment}, again and again (they may
   * be forking) until none is left or the time is up. For a test's cleanup, after a failure.
   */
  public static void killAllWithCommandLine(String fragment, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    List<Long> running;
    while (!(running = withCommandLine(fragment)).isEmpty() && System.nanoTime() - deadline < 0) {
      running.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
      Thread.sleep(POLL_MILLIS);
    }
  }

  /** Waits until every process has ended or the time is up; returns those still running. */
  public static List<Long> awaitEnded(Collection<Long> pids, Duration within) throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (true) {
      List<Long> running = new ArrayList<>();
      for (long pid : pids) {
        if (!hasEnded(pid)) {
          running.add(pid);
        }
      }
      if (running.isEmpty() || System.nanoTime() - deadline >= 0) {
        return running;
      }
      Thread.sleep(POLL_MILLIS);
    }
  }

  /**
   * The paths of the Unix sockets that process {@code pid} or any of its descendants has open, as
   * this test (outside any sandbox) sees them: a sandbox binds its socket directory at the same
   * path, so they are the host's paths too.
   */
  public static Set<Path> unixSocketPaths(long pid) throws IOException {
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow(() -> new IllegalStateException("no process " + pid));
    Set<Path> paths = new HashSet<>();
    for (ProcessHandle process : Stream.concat(Stream.of(root), root.descendants()).toList()) {
      Path proc = Path.of("/proc", Long.toString(process.pid()));
      Set<String> inodes = new HashSet<>();
      try (Stream<Path> fds = Files.list(proc.resolve("fd"))) {
        for (Path fd : fds.toList()) {
          try {
            String target = Files.readSymbolicLink(fd).toString();
            if (target.startsWith("socket:[")) {
              inodes.add(target.substring("socket:[".length(), target.length() - 1));
            }
          } catch (IOException closed) {
            // The descriptor was closed while we looked.
          }
        }
        // Each process's own view: a sandboxed one lives in a network namespace of its own.
        for (String line : Files.readAllLines(proc.resolve("net").resolve("unix"))) {
          String[] fields = line.trim().split("\\s+");
          if (fields.length >= 8 && inodes.contains(fields[6]) && fields[7].startsWith("/")) {
            paths.add(Path.of(fields[7]));
          }
        }
      } catch (NoSuchFileException ended) {
        // The process ended while we looked.
      }
    }
    return paths;
  }
}
