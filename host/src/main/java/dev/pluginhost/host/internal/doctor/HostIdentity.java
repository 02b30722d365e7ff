package dev.pluginhost.host.internal.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who the host runs as, from /proc/self/status: what decides whether bubblewrap runs privileged
 * and whether the kernel enforces RLIMIT_NPROC.
 *
 * @param uid the real user id
 * @param effectiveCapabilities the CapEff bit mask; 0 if it could not be read
 */
record HostIdentity(long uid, long effectiveCapabilities) {
  static final int CAP_SYS_ADMIN = 21;
  static final int CAP_SYS_RESOURCE = 24;

  boolean root() {
    return uid == 0;
  }

  boolean has(int capability) {
    return (effectiveCapabilities & (1L << capability)) != 0;
  }

  /** This process's identity; a uid of -1 if /proc/self/status cannot be read. */
  static HostIdentity current() {
    long uid = -1;
    long capabilities = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          uid = Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
        } else if (line.startsWith("CapEff:")) {
          capabilities = Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | RuntimeException e) {
      // Reported as an unknown uid.
    }
    return new HostIdentity(uid, capabilities);
  }
}
