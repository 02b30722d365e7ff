package dev.pluginhost.host;

/**
 * When the supervisor replaces a plugin process that ended on its own. A process the host ends on
 * purpose (recycled, stopped, disabled) is never counted here. Named after Erlang's child
 * restart types.
 */
public enum RestartPolicy {
  /** Replace it whatever the reason, even after a clean exit (Erlang's permanent). */
  ALWAYS,
  /**
   * Replace it unless it exited by itself with status 0 (Erlang's transient). A plugin whose last
   * process exited cleanly is FAILED, with that exit as the reason.
   */
  ON_FAILURE,
  /** Never replace it (Erlang's temporary); when the last process is gone, the plugin FAILED. */
  NEVER
}
