package dev.pluginhost.host;

import java.time.Duration;

/**
 * One process of a plugin, as seen at one moment.
 *
 * @param pid its process id
 * @param role what it does now
 * @param callsInFlight calls it is serving now
 * @param callsStarted calls sent to it since it started
 * @param uptime how long it has served
 * @param residentBytes the resident memory (RSS) of the process the host spawned and all its
 *     descendants (a sandboxed JVM is a child of the sandbox), in bytes, summed from each one's
 *     {@code /proc/PID/status} when {@link PluginHandle#processes()} was called; -1 when unknown
 *     (the process has just ended, or the host is not on Linux)
 */
public record ProcessInfo(
    long pid, Role role, int callsInFlight, long callsStarted, Duration uptime, long residentBytes) {

  /** What a process of a plugin is for. */
  public enum Role {
    /** Starting; it takes calls once ready. */
    STARTING,
    /** Taking calls. */
    SERVING,
    /** Taking no new calls; it ends once those in flight have (recycling, restarts, stops). */
    DRAINING,
    /** Started and ready, held back to replace a serving process that dies. */
    SPARE
  }
}
