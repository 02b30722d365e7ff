package dev.pluginhost.host;

import java.time.Instant;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * How one plugin process ended: the record the host keeps and hands to callers, listeners and
 * operators.
 *
 * @param pluginId the plugin
 * @param pid the process id, or -1 if the process never started
 * @param time when the host noticed the end
 * @param cause why it ended
 * @param exitCode the exit status as Java reports it (128 + n for signal n), or -1 if unknown
 * @param detail a sentence saying what happened, for people
 * @param lastOutput the last lines the process wrote to stdout or stderr, oldest first
 * @param errorReport the JVM's fatal error report (hs_err file), when it wrote one
 */
public record ProcessDeath(
    String pluginId,
    long pid,
    Instant time,
    DeathCause cause,
    int exitCode,
    String detail,
    List<String> lastOutput,
    Optional<Path> errorReport) {

  public ProcessDeath {
    lastOutput = List.copyOf(lastOutput);
  }

  /** The signal that ended the process, if one did (by the usual 128 + n convention). */
  public OptionalInt signal() {
    return exitCode > 128 && exitCode < 128 + 65 ? OptionalInt.of(exitCode - 128) : OptionalInt.empty();
  }

  /** One line for logs and error messages: "pid 123 exited with code 3: ...". */
  public String summary() {
    return "pid " + pid + " " + detail;
  }
}
