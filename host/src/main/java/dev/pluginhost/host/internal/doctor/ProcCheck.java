package dev.pluginhost.host.internal.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code hidepid} row: what a plugin outside the sandbox sees of other processes in /proc.
 * The host does not rely on it (the sandbox gives each plugin a /proc of its own), so it never
 * fails the doctor; it says what a bare plugin could read.
 */
final class ProcCheck {
  static final String NAME = "hidepid";

  private ProcCheck() {}

  static Protection probe() {
    String options = null;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/mounts"))) {
        String[] fields = line.split(" ");
        // The last mount on /proc is the one in force.
        if (fields.length >= 4 && fields[1].equals("/proc") && fields[2].equals("proc")) {
          options = fields[3];
        }
      }
    } catch (IOException e) {
      // Reported as unknown below.
    }
    return verdict(options);
  }

  /** The row for /proc's mount options ({@code rw,relatime,hidepid=2}); null if unknown. */
  static Protection verdict(String mountOptions) {
    if (mountOptions == null) {
      return new Protection(NAME, Protection.Status.NO, false,
          "cannot find how /proc is mounted; take it that a plugin outside the sandbox sees every process");
    }
    String hidepid = "0";
    for (String option : mountOptions.split(",")) {
      if (option.startsWith("hidepid=")) {
        hidepid = option.substring("hidepid=".length());
      }
    }
    if (hidepid.equals("0") || hidepid.equals("off")) {
      return new Protection(NAME, Protection.Status.NO, false,
          "/proc has no hidepid: outside the sandbox a plugin lists every process and reads their command lines,"
              + " and the host's environment too (same user); the sandbox gives it a /proc of its own");
    }
    return new Protection(NAME, Protection.Status.PARTIAL, false,
        "/proc has hidepid=" + hidepid + ": other users' processes are hidden, but outside the sandbox a plugin runs"
            + " as the host's user and still reads the host's /proc entries, environment included");
  }
}
