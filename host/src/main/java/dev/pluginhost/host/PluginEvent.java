package dev.pluginhost.host;

import java.time.Instant;
import java.util.Optional;

/**
 * A plugin moved from one state to another.
 *
 * @param pluginId the plugin
 * @param from the state it left
 * @param to the state it entered
 * @param pid the process concerned: the new one on entering RUNNING, the dead one on entering
 *     RESTARTING, the current one on entering STOPPING; -1 when there is none
 * @param time when
 * @param reason a sentence saying why, for people
 * @param death the process death that caused the move, if one did
 */
public record PluginEvent(
    String pluginId,
    PluginState from,
    PluginState to,
    long pid,
    Instant time,
    String reason,
    Optional<ProcessDeath> death) {

  @Override
  public String toString() {
    return pluginId + " " + from + " -> " + to + ": " + reason;
  }
}
