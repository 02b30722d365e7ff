package dev.pluginhost.host.internal.doctor;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * One protection a plugin may get on this machine, as the doctor found it.
 *
 * @param name a short, stable name for scripts, such as {@code sandbox} or {@code pids-cgroup}
 * @param status whether this machine offers it
 * @param used whether the settings the report was made for rely on it (the doctor's: the
 *     defaults); if so and it is not {@link Status#YES}, plugins get less than those settings ask
 * @param detail one line for an operator: what is there, or what is missing and how to get it
 */
public record Protection(String name, Status status, boolean used, String detail) {
  public Protection {
    checkNotNull(name, "name");
    checkNotNull(status, "status");
    checkNotNull(detail, "detail");
  }

  /** Whether the machine offers a protection. */
  public enum Status {
    /** Available and working as the host uses it. */
    YES,
    /** Available but weaker than it should be; the detail says how. */
    PARTIAL,
    /** Not available. */
    NO;

    /** The lower-case word the doctor prints: {@code yes}, {@code partial} or {@code no}. */
    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
