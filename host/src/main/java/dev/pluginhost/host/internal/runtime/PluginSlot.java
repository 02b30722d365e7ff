package dev.pluginhost.host.internal.runtime;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.Registration;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * The handle of one plugin id for the host's whole life, across upgrades: it forwards everything
 * to the supervisor of the plugin's current version, and its listeners follow it from one version
 * to the next. Output is kept in one log across versions, so {@code recentOutput} and
 * {@code watchOutput} do not notice an upgrade; metrics, restarts and deaths are the current
 * version's.
 *
 * <p>Thread-safe. A call goes to whichever version is current when it is made; calls in flight on
 * an old version finish there while it drains.
 */
public final class PluginSlot implements PluginHandle {
  private final String id;
  private final PluginListeners listeners;
  private volatile PluginSupervisor current;
  private volatile java.nio.file.Path source;
  private Registration forwarding;

  /** @param source where {@code supervisor}'s version was loaded from (its jar or folder) */
  public PluginSlot(PluginSupervisor supervisor, java.nio.file.Path source) {
    this.source = checkNotNull(source, "source");
    this.id = supervisor.id();
    this.listeners = new PluginListeners(id);
    this.current = supervisor;
    this.forwarding = forwardFrom(supervisor);
  }

  /** Where the current version was loaded from. */
  public java.nio.file.Path source() {
    return source;
  }

  /** The supervisor of the current version. */
  public PluginSupervisor current() {
    return current;
  }

  /**
   * Makes {@code next}, loaded from {@code nextSource}, the current version: new calls go to it
   * from now on, and listeners hear
   * one RUNNING event saying so ({@code reason}) and then only its events. Returns the one it
   * replaced, which the caller drains and stops.
   */
  public synchronized PluginSupervisor switchTo(PluginSupervisor next, java.nio.file.Path nextSource, String reason) {
    checkNotNull(next, "next");
    PluginSupervisor previous = current;
    forwarding.close();
    source = checkNotNull(nextSource, "nextSource");
    current = next;
    forwarding = forwardFrom(next);
    PluginEvent switched =
        new PluginEvent(id, next.state(), next.state(), next.pid().orElse(-1), Instant.now(), reason, Optional.empty());
    listeners.deliver(switched);
    return previous;
  }

  private Registration forwardFrom(PluginSupervisor supervisor) {
    return supervisor.addListener(listeners::deliver, MoreExecutors.directExecutor());
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return current.version();
  }

  @Override
  public PluginState state() {
    return current.state();
  }

  @Override
  public OptionalLong pid() {
    return current.pid();
  }

  @Override
  public int restartCount() {
    return current.restartCount();
  }

  @Override
  public Optional<ProcessDeath> lastDeath() {
    return current.lastDeath();
  }

  @Override
  public List<ProcessInfo> processes() {
    return current.processes();
  }

  @Override
  public List<ProcessDeath> deaths() {
    return current.deaths();
  }

  @Override
  public List<String> functions() {
    return current.functions();
  }

  @Override
  public ListenableFuture<byte[]> callAsync(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    return current.callAsync(function, input, timeout, metadata);
  }

  @Override
  public PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    return current.openPipe(function, timeout, metadata);
  }

  @Override
  public List<CallOutcome> map(String function, List<byte[]> inputs, MapOptions options) {
    return current.map(function, inputs, options);
  }

  @Override
  public ListenableFuture<List<CallOutcome>> mapAsync(String function, List<byte[]> inputs, MapOptions options) {
    return current.mapAsync(function, inputs, options);
  }

  @Override
  public Iterator<MapResult> mapUnordered(String function, List<byte[]> inputs, MapOptions options) {
    return current.mapUnordered(function, inputs, options);
  }

  @Override
  public ListenableFuture<Void> restartAsync() {
    return current.restartAsync();
  }

  @Override
  public ListenableFuture<Void> disableAsync() {
    return current.disableAsync();
  }

  @Override
  public ListenableFuture<Void> enableAsync() {
    return current.enableAsync();
  }

  @Override
  public PluginMetrics metrics() {
    return current.metrics();
  }

  @Override
  public List<OutputLine> recentOutput(int maxLines) {
    return current.recentOutput(maxLines);
  }

  @Override
  public Registration watchOutput(Consumer<OutputLine> listener, Executor executor) {
    // One log across versions: a watcher of the current one hears the next ones too.
    return current.watchOutput(listener, executor);
  }

  @Override
  public Registration addListener(PluginListener listener, Executor executor) {
    return listeners.add(listener, executor);
  }

  @Override
  public String toString() {
    return "PluginSlot[" + id + " " + current.version() + " " + current.state() + "]";
  }
}
