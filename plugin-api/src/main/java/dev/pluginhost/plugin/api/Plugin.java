package dev.pluginhost.plugin.api;

/**
 * A plugin's entry point: the class named in
 * {@code META-INF/services/dev.pluginhost.plugin.api.Plugin}. It needs a public no-argument
 * constructor.
 *
 * <p>The runner creates one instance per JVM, calls {@link #start} once before any call reaches
 * the plugin, and {@link #stop} once when the host stops the plugin gracefully. A restart is a new
 * JVM and a new instance: nothing survives it but what the plugin wrote to its
 * {@linkplain PluginContext#dataDirectory() data directory}.
 */
public interface Plugin {

  /**
   * Prepares the plugin and registers its functions; the counterpart of the {@code initializer}
   * of Python's {@code multiprocessing.Pool}. Open connections and load models here, not in the
   * constructor.
   *
   * <p>Runs on one thread, before any call. The host gives it a time limit (its start timeout); a
   * start hook that throws or overruns that limit is a failed start, reported with this
   * exception's class and message, and the JVM is discarded.
   *
   * @throws Exception for any reason the plugin cannot serve
   */
  void start(PluginContext context) throws Exception;

  /**
   * Releases what {@link #start} acquired. Called at most once, on a graceful shutdown, after new
   * calls have stopped arriving; calls still in flight may run concurrently with it. The host
   * allows it a grace period and then ends the JVM regardless. Not called when the JVM crashes or
   * is killed. The default does nothing.
   *
   * @throws Exception logged by the host; the JVM exits anyway
   */
  default void stop() throws Exception {}
}
