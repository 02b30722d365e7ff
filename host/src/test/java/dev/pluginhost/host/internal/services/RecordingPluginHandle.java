package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.Registration;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Another plugin as the host services see it: every call and map is recorded with its reply
 * future, which the test completes (or finds cancelled). Nothing runs in a process. Only
 * {@code callAsync} and {@code mapAsync} are served; the rest throws.
 */
final class RecordingPluginHandle implements PluginHandle {
  /** A call or map received; {@code reply} is the future the host is waiting on. */
  record Call(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata, SettableFuture<?> reply) {
    @SuppressWarnings("unchecked")
    SettableFuture<byte[]> callReply() {
      return (SettableFuture<byte[]>) reply;
    }

    @SuppressWarnings("unchecked")
    SettableFuture<List<CallOutcome>> mapReply() {
      return (SettableFuture<List<CallOutcome>>) reply;
    }
  }

  private final String id;
  private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
  /** Thrown by callAsync and mapAsync themselves instead of returning a future; null: none. */
  volatile RuntimeException throwOnStart;

  RecordingPluginHandle(String id) {
    this.id = id;
  }

  /** The next call received, waiting up to {@code seconds} for it. */
  Call nextCall(long seconds) throws InterruptedException {
    Call call = calls.poll(seconds, TimeUnit.SECONDS);
    if (call == null) {
      throw new AssertionError("plugin " + id + " received no call within " + seconds + " s");
    }
    return call;
  }

  /** Calls received and not yet taken with {@link #nextCall}. */
  int pendingCalls() {
    return calls.size();
  }

  @Override
  public ListenableFuture<byte[]> callAsync(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    if (throwOnStart != null) {
      throw throwOnStart;
    }
    SettableFuture<byte[]> reply = SettableFuture.create();
    calls.add(new Call(function, List.of(input), timeout, metadata, reply));
    return reply;
  }

  @Override
  public ListenableFuture<List<CallOutcome>> mapAsync(String function, List<byte[]> inputs, MapOptions options) {
    if (throwOnStart != null) {
      throw throwOnStart;
    }
    SettableFuture<List<CallOutcome>> reply = SettableFuture.create();
    calls.add(new Call(function, List.copyOf(inputs), options.timeout(), options.metadata(), reply));
    return reply;
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return "1.0.0";
  }

  @Override
  public PluginState state() {
    return PluginState.RUNNING;
  }

  @Override
  public OptionalLong pid() {
    return OptionalLong.of(7);
  }

  @Override
  public int restartCount() {
    return 0;
  }

  @Override
  public Optional<ProcessDeath> lastDeath() {
    return Optional.empty();
  }

  @Override
  public List<ProcessInfo> processes() {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<ProcessDeath> deaths() {
    return List.of();
  }

  @Override
  public List<String> functions() {
    return List.of();
  }

  @Override
  public PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<CallOutcome> map(String function, List<byte[]> inputs, MapOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Iterator<MapResult> mapUnordered(String function, List<byte[]> inputs, MapOptions options) {
    throw new UnsupportedOperationException();
  }

  @Override
  public ListenableFuture<Void> restartAsync() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ListenableFuture<Void> disableAsync() {
    throw new UnsupportedOperationException();
  }

  @Override
  public ListenableFuture<Void> enableAsync() {
    throw new UnsupportedOperationException();
  }

  @Override
  public PluginMetrics metrics() {
    throw new UnsupportedOperationException();
  }

  @Override
  public List<OutputLine> recentOutput(int maxLines) {
    return List.of();
  }

  @Override
  public Registration watchOutput(Consumer<OutputLine> listener, Executor executor) {
    throw new UnsupportedOperationException();
  }

  @Override
  public Registration addListener(PluginListener listener, Executor executor) {
    throw new UnsupportedOperationException();
  }
}
