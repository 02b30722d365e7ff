package dev.pluginhost.host.server;

import com.google.common.collect.EvictingQueue;
import dev.pluginhost.proto.admin.v1.PluginEvent;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keeps the most recent state changes of every plugin and hands each new one to the admin streams
 * following them. It listens to the host from before its start, so it has every plugin's events
 * from the first; streams come and go.
 *
 * <p>Thread-safe. A stream gets the recent events it asked for and then every later one, none
 * twice and none missed, each plugin's in the order the plugin made them.
 */
final class EventHub {
  /** How many events the server remembers, across all plugins. */
  static final int HISTORY = 1000;

  private final EvictingQueue<PluginEvent> history = EvictingQueue.create(HISTORY);
  private final Set<Subscription> subscriptions = new HashSet<>();

  /** Records and hands on one event of any plugin: register it with the host before it starts. */
  void onEvent(dev.pluginhost.host.PluginEvent event) {
    publish(AdminProtos.event(event));
  }

  private synchronized void publish(PluginEvent event) {
    history.add(event);
    for (Subscription subscription : List.copyOf(subscriptions)) {
      subscription.deliver(event);
    }
  }

  /**
   * Sends {@code stream} the last {@code recent} events of plugin {@code id} (of every plugin, if
   * empty), and then, if {@code follow}, every later one until the returned subscription is
   * closed; without follow, completes the stream at once.
   */
  synchronized Subscription subscribe(String id, int recent, boolean follow, StreamObserver<PluginEvent> stream) {
    Subscription subscription = new Subscription(id, stream);
    List<PluginEvent> matching = new ArrayList<>();
    for (PluginEvent event : history) {
      if (subscription.wants(event)) {
        matching.add(event);
      }
    }
    matching.subList(0, Math.max(0, matching.size() - Math.max(0, recent))).clear();
    matching.forEach(subscription::deliver);
    if (follow) {
      subscriptions.add(subscription);
    } else {
      subscription.complete();
    }
    return subscription;
  }

  /** Ends every following stream, as the server stops. */
  synchronized void completeAll() {
    for (Subscription subscription : List.copyOf(subscriptions)) {
      subscription.complete();
    }
  }

  /** One watching stream. */
  final class Subscription implements AutoCloseable {
    private final String id;
    private final StreamObserver<PluginEvent> stream;
    private boolean closed;

    private Subscription(String id, StreamObserver<PluginEvent> stream) {
      this.id = id;
      this.stream = stream;
    }

    private boolean wants(PluginEvent event) {
      return id.isEmpty() || id.equals(event.getId());
    }

    private synchronized void deliver(PluginEvent event) {
      if (closed || !wants(event)) {
        return;
      }
      try {
        stream.onNext(event);
      } catch (RuntimeException cancelled) {
        // The caller went away between the check and the send.
        close();
      }
    }

    private synchronized void complete() {
      if (closed) {
        return;
      }
      close();
      try {
        stream.onCompleted();
      } catch (RuntimeException cancelled) {
        // Gone already.
      }
    }

    /** Stops delivering; the stream itself is the caller's to end. */
    @Override
    public void close() {
      synchronized (this) {
        closed = true;
      }
      synchronized (EventHub.this) {
        subscriptions.remove(this);
      }
    }
  }
}
