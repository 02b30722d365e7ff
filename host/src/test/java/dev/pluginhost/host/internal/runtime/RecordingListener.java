package dev.pluginhost.host.internal.runtime;

import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.PluginState;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Keeps every event it hears, in order. Add it with {@code directExecutor()}. */
final class RecordingListener implements PluginListener {
  private final List<PluginEvent> events = new ArrayList<>();
  private final List<Boolean> lockHeld = new ArrayList<>();
  private final BooleanSupplier lockCheck;

  RecordingListener() {
    this(() -> false);
  }

  /** Also notes, for each event, whether {@code lockCheck} said a lock was held as it arrived. */
  RecordingListener(BooleanSupplier lockCheck) {
    this.lockCheck = lockCheck;
  }

  @Override
  public synchronized void onEvent(PluginEvent event) {
    events.add(event);
    lockHeld.add(lockCheck.getAsBoolean());
  }

  synchronized List<PluginEvent> events() {
    return List.copyOf(events);
  }

  /** Each event as "FROM->TO". */
  synchronized List<String> transitions() {
    return events.stream().map(e -> e.from() + "->" + e.to()).toList();
  }

  /** The events that entered {@code state}, from whatever state. */
  synchronized List<PluginEvent> entering(PluginState state) {
    return events.stream().filter(e -> e.to() == state).toList();
  }

  synchronized PluginEvent last() {
    return events.get(events.size() - 1);
  }

  /** Whether any event arrived while the lock was held. */
  synchronized boolean anyUnderLock() {
    return lockHeld.contains(true);
  }

  synchronized void clear() {
    events.clear();
    lockHeld.clear();
  }
}
