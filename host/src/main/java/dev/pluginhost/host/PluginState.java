package dev.pluginhost.host;

/**
 * Where a plugin is in its life. One {@link PluginHandle} moves through these; each JVM run of the
 * plugin is a separate process underneath, started afresh on every restart.
 *
 * <pre>
 * NEW ──start──▶ STARTING ──ready──▶ RUNNING ──process died──▶ RESTARTING ──ready──▶ RUNNING
 *                   │                   │                          │
 *                   └──start failed──▶ RESTARTING                   │
 *                                          more than the restart intensity allows ──▶ FAILED
 * RUNNING, RESTARTING, FAILED ──disable──▶ DISABLED ──enable──▶ STARTING
 * FAILED ──restart──▶ STARTING
 * any state ──host stops──▶ STOPPING ──▶ STOPPED
 * </pre>
 *
 * <p>A plugin running as a pool stays RUNNING while at least one of its processes serves; the
 * death and replacement of one process of several is reported as an event from RUNNING to
 * RUNNING. STOPPED is final: only the host's stop leads there, and a stopped plugin never runs
 * again. FAILED and DISABLED wait for an operator.
 */
public enum PluginState {
  /** Created, never started. Calls fail with FAILED_PRECONDITION. */
  NEW,
  /** Its first process is starting. Calls wait, within their deadline, until it serves. */
  STARTING,
  /**
   * A process is serving calls (or, for a moment, none is while a process retired on purpose
   * waits for its replacement; calls then wait in the queue).
   */
  RUNNING,
  /** Its process died or failed to start; another is on the way. Calls wait within their deadline. */
  RESTARTING,
  /** Draining calls and shutting its process down. New calls fail with FAILED_PRECONDITION. */
  STOPPING,
  /** Stopped for good. Calls fail with FAILED_PRECONDITION. */
  STOPPED,
  /**
   * Given up on: it died more often than its restart intensity allows, or its restart policy
   * does not replace it. Calls fail at once with FAILED_PRECONDITION and the crash history, until
   * an operator restarts or enables it.
   */
  FAILED,
  /** Switched off by an operator; its processes are stopped. Calls fail with FAILED_PRECONDITION. */
  DISABLED;

  /** Whether a call arriving now may still be served, after waiting if need be. */
  public boolean acceptsCalls() {
    return this == STARTING || this == RUNNING || this == RESTARTING;
  }

  /** Whether the plugin has no process and will not start one by itself. */
  public boolean isIdle() {
    return this == STOPPED || this == FAILED || this == DISABLED || this == NEW;
  }
}
