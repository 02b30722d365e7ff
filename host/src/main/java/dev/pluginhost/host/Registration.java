package dev.pluginhost.host;

/**
 * A listener or watcher registered with a {@link PluginHandle}; closing it unregisters it. An
 * admin stream closes its registration when its client goes away.
 *
 * <p>{@link #close()} is thread-safe, idempotent and never throws. Once it has returned, the
 * listener is handed nothing more, except what it is being handed at that moment on another
 * thread: a delivery already under way on the listener's executor finishes.
 */
public interface Registration extends AutoCloseable {
  /** Unregisters; does nothing if already closed. */
  @Override
  void close();
}
