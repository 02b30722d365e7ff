package dev.pluginhost.host;

/**
 * Hears every state change of a plugin, in order. Registered with
 * {@link PluginHandle#addListener}; runs on the executor given there, so it must not block a
 * shared executor for long. An exception it throws is logged and otherwise ignored.
 */
@FunctionalInterface
public interface PluginListener {
  void onEvent(PluginEvent event);
}
