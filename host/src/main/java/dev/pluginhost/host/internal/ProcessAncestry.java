package dev.pluginhost.host.internal;

import java.util.Optional;

/** Whether one process descends from another, as this host sees the process tree. */
public final class ProcessAncestry {
  private ProcessAncestry() {}

  /** Whether {@code pid} is {@code ancestor} or one of its descendants. */
  public static boolean isSelfOrDescendant(long pid, long ancestor) {
    if (pid <= 0 || ancestor <= 0) {
      return false;
    }
    Optional<ProcessHandle> current = ProcessHandle.of(pid);
    // A bounded walk: a process tree is never this deep, and a cycle cannot hold us.
    for (int depth = 0; depth < 64 && current.isPresent(); depth++) {
      ProcessHandle process = current.get();
      if (process.pid() == ancestor) {
        return true;
      }
      current = process.parent();
    }
    return false;
  }
}
