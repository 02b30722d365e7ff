package dev.pluginhost.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

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
      throw new IllegalStateException("cannot read /proc for pid " + pid, e);
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
}
