package dev.pluginhost.bench.figures;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this JVM and every process under it (the hosts' plugin JVMs, their sandboxes) have cost so
 * far, read from {@code /proc}: CPU time (user and system, in clock ticks of 10 ms) and context
 * switches (voluntary and not, summed over every live thread). The difference of two snapshots
 * around some calls, divided by the calls, says what one call costs the whole machine, which a
 * busy machine changes much less than it changes the calls' wall time; switches count the thread
 * hand-overs a call makes. Threads that ended between two snapshots take their switches with them,
 * so a difference may be a little low. Processes that cannot be read are left out.
 */
final class ProcessCost {
  /** Linux's USER_HZ, which {@code /proc/PID/stat} counts CPU time in, on every architecture. */
  static final double MS_PER_TICK = 10;

  private ProcessCost() {}

  /**
   * A snapshot.
   *
   * @param cpuTicks user and system CPU time of all the processes, in ticks
   * @param switches context switches of all their live threads
   */
  record Snapshot(long cpuTicks, long switches) {
    Snapshot minus(Snapshot earlier) {
      return new Snapshot(cpuTicks - earlier.cpuTicks, switches - earlier.switches);
    }

    Snapshot plus(Snapshot other) {
      return new Snapshot(cpuTicks + other.cpuTicks, switches + other.switches);
    }

    double cpuMs() {
      return cpuTicks * MS_PER_TICK;
    }
  }

  /** This JVM's and its descendants' costs now. */
  static Snapshot now() {
    List<Long> pids = new ArrayList<>();
    pids.add(ProcessHandle.current().pid());
    ProcessHandle.current().descendants().forEach(p -> pids.add(p.pid()));
    long ticks = 0;
    long switches = 0;
    for (long pid : pids) {
      Path proc = Path.of("/proc", Long.toString(pid));
      try {
        ticks += parseCpuTicks(Files.readString(proc.resolve("stat")));
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve("task"))) {
          for (Path task : tasks) {
            try {
              switches += parseSwitches(Files.readString(task.resolve("status")));
            } catch (IOException e) {
              // The thread ended while we looked.
            }
          }
        }
      } catch (IOException | RuntimeException e) {
        // The process ended while we looked, or is not ours to read.
      }
    }
    return new Snapshot(ticks, switches);
  }

  /**
   * utime + stime of a {@code /proc/PID/stat} line: the 14th and 15th fields, counted after the
   * command's closing parenthesis since the command may hold spaces and parentheses.
   *
   * @throws IllegalArgumentException if the line has no such fields
   */
  static long parseCpuTicks(String stat) {
    int close = stat.lastIndexOf(')');
    String[] fields = close < 0 ? new String[0] : stat.substring(close + 1).trim().split("\\s+");
    if (fields.length < 13) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
    }
    // fields[0] is the state (field 3), so utime (field 14) is fields[11] and stime fields[12].
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  /** voluntary_ctxt_switches + nonvoluntary_ctxt_switches of a {@code /proc/PID/task/TID/status} text; 0 if absent. */
  static long parseSwitches(String status) {
    long switches = 0;
    for (String line : status.split("\n")) {
      if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
        switches += Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    return switches;
  }
}
