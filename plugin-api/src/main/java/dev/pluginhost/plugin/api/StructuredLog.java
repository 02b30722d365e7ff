package dev.pluginhost.plugin.api;

import java.lang.System.Logger.Level;
import java.util.Map;

/**
 * Structured log records that reach the host's log and the plugin's output log, tagged by the
 * host with the plugin's id, version and process id, and carrying the fields the plugin gives.
 * Needs the grant {@code log}.
 *
 * <p>Never blocks: records go to the host in the background, in order. A plugin logging faster
 * than the host takes them loses the excess (the host is told how many were dropped), so a flood
 * of records costs the plugin nothing and the host little.
 */
public interface StructuredLog {

  /**
   * Sends one record.
   *
   * @param fields names and values attached to the record, such as {@code url} and {@code status};
   *     names are letters, digits, '.', '-' and '_'
   * @throws HostServiceException with PERMISSION_DENIED if the plugin was not granted {@code log}
   */
  void log(Level level, String message, Map<String, String> fields);

  default void info(String message, Map<String, String> fields) {
    log(Level.INFO, message, fields);
  }

  default void info(String message) {
    log(Level.INFO, message, Map.of());
  }

  default void warn(String message, Map<String, String> fields) {
    log(Level.WARNING, message, fields);
  }

  default void error(String message, Map<String, String> fields) {
    log(Level.ERROR, message, fields);
  }
}
