package dev.pluginhost.host;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.grpc.Status;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * A plugin without a process: its functions are byte transforms given by the test, or calls the
 * test completes by hand. Records every call. Implements only what the typed calls use; the rest
 * throws UnsupportedOperationException.
 */
final class FakePluginHandle implements PluginHandle {
  /** One call the fake received. */
  record Call(String function, byte[] input, Duration timeout, Map<String, String> metadata) {}

  private final String id;
  private final Map<String, UnaryOperator<byte[]>> answers = new ConcurrentHashMap<>();
  private final Map<String, SettableFuture<byte[]>> held = new ConcurrentHashMap<>();
  final List<Call> calls = new CopyOnWriteArrayList<>();

  FakePluginHandle(String id) {
    this.id = id;
  }

  /**
   * Answers {@code function} with what {@code answer} makes of the input. A PluginCallException
   * the answer throws fails the call.
   */
  FakePluginHandle answer(String function, UnaryOperator<byte[]> answer) {
    answers.put(function, answer);
    return this;
  }

  /** Makes the next call of {@code function} wait until the test completes the returned future. */
  SettableFuture<byte[]> hold(String function) {
    SettableFuture<byte[]> reply = SettableFuture.create();
    held.put(function, reply);
    return reply;
  }

  Call lastCall() {
    return calls.get(calls.size() - 1);
  }

  /** The error a plugin's throwing function gives its caller. */
  PluginCallException thrown(String function, String message) {
    return new PluginCallException(
        Status.Code.UNKNOWN, id, function, 7, "plugin " + id + " (pid 7): " + message, null, "java.lang.IllegalStateException", null);
  }

  @Override
  public ListenableFuture<byte[]> callAsync(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    calls.add(new Call(function, input, timeout, metadata));
    SettableFuture<byte[]> waiting = held.remove(function);
    if (waiting != null) {
      return waiting;
    }
    UnaryOperator<byte[]> answer = answers.get(function);
    if (answer == null) {
      return Futures.immediateFailedFuture(
          new PluginCallException(
              Status.Code.UNIMPLEMENTED, id, function, 7, "plugin " + id + " has no function " + function, null, null, null));
    }
    try {
      return Futures.immediateFuture(answer.apply(input));
    } catch (PluginCallException e) {
      return Futures.immediateFailedFuture(e);
    }
  }

  @Override
  public List<CallOutcome> map(String function, List<byte[]> inputs, MapOptions options) {
    List<CallOutcome> outcomes = new ArrayList<>();
    for (byte[] input : inputs) {
      try {
        outcomes.add(CallOutcome.success(call(function, input, options.timeout())));
      } catch (PluginCallException e) {
        outcomes.add(CallOutcome.failure(e));
      }
    }
    return outcomes;
  }

  @Override
  public ListenableFuture<List<CallOutcome>> mapAsync(String function, List<byte[]> inputs, MapOptions options) {
    return Futures.immediateFuture(map(function, inputs, options));
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
    return List.copyOf(answers.keySet());
  }

  @Override
  public PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
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
