package dev.pluginhost.host.internal.runtime;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import io.grpc.Status;

/**
 * A call that never left the host: its process had died before it could be sent. Always safe to
 * send again elsewhere, idempotent or not.
 */
final class NotSentException extends PluginCallException {
  private static final long serialVersionUID = 1L;

  NotSentException(String pluginId, String function, ProcessDeath death) {
    super(
        Status.Code.UNAVAILABLE,
        pluginId,
        function,
        death.pid(),
        "plugin " + pluginId + " (pid " + death.pid() + ") had died before the call could be sent: "
            + death.detail(),
        death,
        null,
        null);
  }

  /** Not sent to a process that is still alive but condemned: {@code why} says what awaits it. */
  NotSentException(String pluginId, String function, long pid, String why) {
    super(
        Status.Code.UNAVAILABLE,
        pluginId,
        function,
        pid,
        "plugin " + pluginId + " (pid " + pid + ") " + why + "; the call was not sent to it",
        null,
        null,
        null);
  }
}
