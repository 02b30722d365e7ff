package dev.pluginhost.host.server;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.proto.admin.v1.PluginEvent;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Hands every plugin's state changes to the admin streams watching them. One listener per plugin
 * for the server's life; streams come and go.
 *
 * <p>Thread-safe. Events of one plugin reach a stream in the order the plugin made them.
 */
final class EventHub {
  private final Set<Subscription> subscriptions = new CopyOnWriteArraySet<>();

  /** Listens to every plugin of {@code host}, which must be running. */
  EventHub(PluginHost host) {
    for (PluginHandle plugin : host.plugins()) {
      plugin.addListener(
          event -> {
            PluginEvent message = AdminProtos.event(event);
            for (Subscription subscription : subscriptions) {
              subscription.deliver(message);
            }
          },
          MoreExecutors.directExecutor());
    }
  }

  /** Sends every later event of plugin {@code id} (every plugin's, if empty) to {@code stream}. */
  Subscription subscribe(String id, StreamObserver<PluginEvent> stream) {
    Subscription subscription = new Subscription(id, stream);
    subscriptions.add(subscription);
    return subscription;
  }

  /** Ends every stream, as the server stops. */
  void completeAll() {
    for (Subscription subscription : subscriptions) {
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

    private synchronized void deliver(PluginEvent event) {
      if (closed || !(id.isEmpty() || id.equals(event.getId()))) {
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
      if (!closed) {
        closed = true;
        subscriptions.remove(this);
        try {
          stream.onCompleted();
        } catch (RuntimeException cancelled) {
          // Gone already.
        }
      }
    }

    /** Stops delivering; the stream itself is the caller's to end. */
    @Override
    public synchronized void close() {
      closed = true;
      subscriptions.remove(this);
    }
  }
}
