package dev.pluginhost.host.internal.runtime;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.Registration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listeners of one plugin's events. Each runs on its own executor, made sequential, so it
 * hears events one at a time and in order; once its registration is closed, events still queued
 * for it are skipped. A listener that throws is logged and kept; an executor that rejects work
 * closes its registration.
 *
 * <p>Thread-safe.
 */
final class PluginListeners {
  private static final Logger log = LoggerFactory.getLogger(PluginListeners.class);

  private final String pluginId;
  private final CopyOnWriteArrayList<Registered> registered = new CopyOnWriteArrayList<>();

  PluginListeners(String pluginId) {
    this.pluginId = pluginId;
  }

  Registration add(PluginListener listener, Executor executor) {
    Registered one =
        new Registered(checkNotNull(listener, "listener"), MoreExecutors.newSequentialExecutor(checkNotNull(executor, "executor")));
    registered.add(one);
    return () -> {
      one.closed = true;
      registered.remove(one);
    };
  }

  /**
   * The delivery of {@code event} to the listeners registered now, to run later (a supervisor
   * decides under its lock, and delivers once it has released it).
   */
  Runnable deliveryOf(PluginEvent event) {
    List<Registered> now = List.copyOf(registered);
    return () -> now.forEach(one -> one.deliver(event));
  }

  /** Delivers {@code event} to every listener registered now. */
  void deliver(PluginEvent event) {
    deliveryOf(event).run();
  }

  private final class Registered {
    final PluginListener listener;
    final Executor executor;
    volatile boolean closed;

    Registered(PluginListener listener, Executor executor) {
      this.listener = listener;
      this.executor = executor;
    }

    void deliver(PluginEvent event) {
      if (closed) {
        return;
      }
      try {
        executor.execute(() -> {
          if (closed) {
            return;
          }
          try {
            listener.onEvent(event);
          } catch (RuntimeException e) {
            log.warn("a listener of plugin {} threw", pluginId, e);
          }
        });
      } catch (RejectedExecutionException e) {
        closed = true;
        registered.remove(this);
      }
    }
  }
}
