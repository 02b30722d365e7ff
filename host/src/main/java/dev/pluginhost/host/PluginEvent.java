package dev.pluginhost.host;

import java.time.Instant;
import java.util.Optional;

/**
 * A plugin moved from one state to another.
 *
 * @param pluginId the plugin
 * @param from the state it left
 * @param to the state it entered
 * @param time when
 * @param reason a sentence saying why, for people
 * @param death the process death that caused the move, if one did
 */
public record PluginEvent(
    String pluginId,
    PluginState from,
    PluginState to,
    Instant time,
    String reason,
    Optional<ProcessDeath> death) {

  @Override
  public String toString() {
    return pluginId + " " + from + " -> " + to + ": " + reason;
  }
}
