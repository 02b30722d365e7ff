package dev.pluginhost.host;

/**
 * Where a plugin is in its life. One {@link PluginHandle} moves through these; each JVM run of the
 * plugin is a separate process underneath, started afresh on every restart.
 *
 * <pre>
 * NEW ──start──▶ STARTING ──ready──▶ RUNNING ──process died──▶ RESTARTING ──ready──▶ RUNNING
 *                   │                   │                          │
 *                   └──start failed──▶ RESTARTING                   │
 * any state ──stop──▶ STOPPING ──▶ STOPPED
 * </pre>
 *
 * <p>STOPPED is final: a stopped plugin never runs again. FAILED is reserved for a plugin that
 * the supervisor gave up on; calls to it fail at once.
 */
public enum PluginState {
  /** Created, never started. Calls fail with FAILED_PRECONDITION. */
  NEW,
  /** Its first process is starting. Calls wait, within their deadline, until it serves. */
  STARTING,
  /** A process is serving calls. */
  RUNNING,
  /** Its process died or failed to start; another is on the way. Calls wait within their deadline. */
  RESTARTING,
  /** Draining calls and shutting its process down. New calls fail with FAILED_PRECONDITION. */
  STOPPING,
  /** Stopped for good. Calls fail with FAILED_PRECONDITION. */
  STOPPED,
  /** Given up on after repeated failures. Calls fail with FAILED_PRECONDITION. */
  FAILED;

  /** Whether a call arriving now may still be served, after waiting if need be. */
  public boolean acceptsCalls() {
    return this == STARTING || this == RUNNING || this == RESTARTING;
  }

  /** Whether the plugin will never run again. */
  public boolean isTerminal() {
    return this == STOPPED || this == FAILED;
  }
}
