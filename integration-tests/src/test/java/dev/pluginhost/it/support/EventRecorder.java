package dev.pluginhost.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Records a plugin's events from the moment it is created, so a test can wait for one. */
public final class EventRecorder {
  private final LinkedBlockingQueue<PluginEvent> pending = new LinkedBlockingQueue<>();
  private final List<PluginEvent> seen = new ArrayList<>();

  public EventRecorder(PluginHandle plugin) {
    plugin.addListener(pending::add, MoreExecutors.directExecutor());
  }

  /** Waits for the first not yet consumed event that matches; fails the test at the deadline. */
  public PluginEvent await(Predicate<PluginEvent> matching, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      PluginEvent event = pending.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
      if (event == null) {
        return fail("no matching event within " + timeout + "; saw " + seen);
      }
      seen.add(event);
      if (matching.test(event)) {
        return event;
      }
    }
  }

  /** Waits for the plugin to enter {@code state}. */
  public PluginEvent awaitEntering(PluginState state, Duration timeout) throws InterruptedException {
    return await(e -> e.to() == state, timeout);
  }
}
