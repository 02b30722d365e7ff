package dev.pluginhost.host.internal.services;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Stops what a test started, in reverse order, after each test, and fails the test if something
 * does not stop within {@link #TIMEOUT_SECONDS}. Register with {@code @RegisterExtension}.
 */
final class Cleanup implements AfterEachCallback {
  static final long TIMEOUT_SECONDS = 5;

  @FunctionalInterface
  private interface Stop {
    void stop() throws Exception;
  }

  private final Deque<Stop> stops = new ArrayDeque<>();

  <T extends Server> T server(T server) {
    stops.push(() -> {
      server.shutdownNow();
      if (!server.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("server did not stop: " + server);
      }
    });
    return server;
  }

  <T extends ManagedChannel> T channel(T channel) {
    stops.push(() -> {
      channel.shutdownNow();
      if (!channel.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("channel did not stop: " + channel);
      }
    });
    return channel;
  }

  <T extends ExecutorService> T executor(T executor) {
    stops.push(() -> {
      executor.shutdownNow();
      if (!executor.awaitTermination(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new AssertionError("executor did not stop: " + executor);
      }
    });
    return executor;
  }

  <T extends EventLoopGroup> T eventLoops(T group) {
    stops.push(() -> {
      if (!group.shutdownGracefully(0, TIMEOUT_SECONDS, TimeUnit.SECONDS).await(TIMEOUT_SECONDS * 2, TimeUnit.SECONDS)) {
        throw new AssertionError("event loops did not stop");
      }
    });
    return group;
  }

  <T extends AutoCloseable> T closeable(T closeable) {
    stops.push(closeable::close);
    return closeable;
  }

  /** Runs {@code action} with the rest, in its turn. */
  void then(Runnable action) {
    stops.push(action::run);
  }

  @Override
  public void afterEach(ExtensionContext context) throws Exception {
    Throwable first = null;
    while (!stops.isEmpty()) {
      try {
        stops.pop().stop();
      } catch (Throwable t) {
        if (first == null) {
          first = t;
        } else {
          first.addSuppressed(t);
        }
      }
    }
    if (first instanceof Exception e) {
      throw e;
    }
    if (first instanceof Error e) {
      throw e;
    }
  }
}
