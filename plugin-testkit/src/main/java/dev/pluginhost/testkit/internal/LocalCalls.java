package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.testkit.CallFailedException;
import dev.pluginhost.testkit.CallerPipe;
import dev.pluginhost.testkit.MapOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Runs the calls of an in-process plugin as the runner runs them: each on a call thread of its own
 * (a NON_BLOCKING function, and a map chunk of one of up to {@value IoThread#INLINE_BATCH_LIMIT}
 * inputs, on the plugin's {@link IoThread}, where host services refuse to wait), with the plugin's
 * class loader as context loader, a {@link LocalCallContext} whose deadline fires, inputs and
 * outputs copied as the wire copies them and held to the message limit, and failures reported as
 * the host reports them. The test's thread waits for each call at most until its deadline, wherever
 * it runs. Keeps count of the functions still running, so closing can wait for them. Thread-safe.
 */
public final class LocalCalls {
  /**
   * How many chunks a map is cut into: as many as the host's pool of one process (the child-JVM
   * mode's default) cuts one into, and that process runs them all at once.
   */
  static final int MAP_CHUNKS = 4;

  private final String pluginId;
  private final FunctionRegistry functions;
  private final ExecutorService executor;
  private final ExecutorService ioThread;
  private final ClassLoader pluginLoader;
  private final int maxMessageBytes;
  private final Set<LocalCallContext> running = ConcurrentHashMap.newKeySet();
  private boolean closed;

  public LocalCalls(
      String pluginId,
      FunctionRegistry functions,
      ExecutorService executor,
      ExecutorService ioThread,
      ClassLoader pluginLoader,
      int maxMessageBytes) {
    this.pluginId = pluginId;
    this.functions = functions;
    this.executor = executor;
    this.ioThread = ioThread;
    this.pluginLoader = pluginLoader;
    this.maxMessageBytes = maxMessageBytes;
  }

  /** A unary call; see {@code PluginUnderTest.call}. */
  public byte[] call(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(input, "input");
    checkTimeout(timeout);
    Objects.requireNonNull(metadata, "metadata");
    UnaryFunction unary = functions.unary(function);
    if (unary == null) {
      throw closed ? Failures.closed(pluginId, function) : Failures.noSuchFunction(pluginId, function, functions);
    }
    if (input.length > maxMessageBytes) {
      throw Failures.tooLarge(pluginId, function, "input", input.length, maxMessageBytes);
    }
    byte[] copy = input.clone();
    LocalCallContext call = new LocalCallContext(function, timeout, metadata, executor);
    begin(call);
    call.arm();
    Future<byte[]> result;
    try {
      result = run(call, functions.nonBlocking(function), () -> unary.apply(call, copy));
    } catch (RejectedExecutionException e) {
      end(call);
      throw Failures.closed(pluginId, function);
    }
    byte[] output = await(call, result);
    output = output == null ? new byte[0] : output;
    if (output.length > maxMessageBytes) {
      throw Failures.tooLarge(pluginId, function, "output", output.length, maxMessageBytes);
    }
    return output.clone();
  }

  private byte[] await(LocalCallContext call, Future<byte[]> result) {
    try {
      byte[] output = result.get(Math.max(0, call.remainingNanos()), TimeUnit.NANOSECONDS);
      if (call.cancelledBeforeFinish()) {
        // The deadline (or the plugin's closing) ended the call before the function did.
        throw Failures.cutShort(pluginId, call);
      }
      return output;
    } catch (TimeoutException e) {
      call.cancel();
      throw Failures.deadlineExceeded(pluginId, call.function(), call.timeout());
    } catch (InterruptedException e) {
      call.cancel();
      Thread.currentThread().interrupt();
      throw Failures.interrupted(pluginId, call.function());
    } catch (ExecutionException e) {
      // What a function throws once its call was cut short (a CallCancelledException, as often as
      // not) is no answer either: its caller had its verdict at the deadline.
      throw call.cancelledBeforeFinish()
          ? Failures.cutShort(pluginId, call)
          : Failures.thrown(pluginId, call.function(), e.getCause());
    }
  }

  /** What a function does with its call. */
  private interface Work<T> {
    T run() throws Exception;
  }

  /**
   * Runs {@code work} for {@code call} on a call thread of its own, or on the I/O thread; the call
   * must have begun. A call queued on the I/O thread behind a function that blocks it, and
   * cancelled before its turn (its deadline passed, the plugin closed), ends there and then and
   * never runs, so a plugin that closes is not held up by calls that never started. (The runner
   * might yet run such a call late, with its context already cancelled; its caller has had its
   * verdict either way.)
   *
   * @throws RejectedExecutionException if the plugin's threads are shut down
   */
  private <T> Future<T> run(LocalCallContext call, boolean onIoThread, Work<T> work) {
    CompletableFuture<T> result = new CompletableFuture<>();
    if (!onIoThread) {
      executor.execute(() -> complete(result, () -> runOnCallThread(call, work)));
      return result;
    }
    AtomicBoolean claimed = new AtomicBoolean();
    ioThread.execute(
        () -> {
          if (claimed.compareAndSet(false, true)) {
            complete(result, () -> runOnCallThread(call, work));
          }
        });
    call.whenCancelled(
        () -> {
          if (claimed.compareAndSet(false, true)) {
            call.finish();
            end(call);
            result.complete(null);
          }
        });
    return result;
  }

  private static <T> void complete(CompletableFuture<T> result, Work<T> work) {
    try {
      result.complete(work.run());
    } catch (Throwable t) {
      result.completeExceptionally(t);
    }
  }

  /** Runs plugin code as the runner does: its loader as context loader, the call counted until it returns. */
  private <T> T runOnCallThread(LocalCallContext call, Work<T> work) throws Exception {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(pluginLoader);
    try {
      return work.run();
    } finally {
      call.finish();
      thread.setContextClassLoader(previous);
      end(call);
    }
  }

  /**
   * A map, cut into chunks as the host cuts one for a pool of one process (a quarter of the inputs
   * each, rounded up) and its chunks run at once, each on a call thread of its own (on the I/O
   * thread, one after another, for a NON_BLOCKING function's chunks of at most {@value
   * IoThread#INLINE_BATCH_LIMIT} inputs), each chunk's inputs in order; see {@code
   * PluginUnderTest.map}. Every chunk is a call of its own with the map's deadline.
   */
  public List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata) {
    Objects.requireNonNull(function, "function");
    inputs.forEach(input -> Objects.requireNonNull(input, "input"));
    checkTimeout(timeout);
    Objects.requireNonNull(metadata, "metadata");
    UnaryFunction unary = functions.unary(function);
    if (unary == null) {
      return allFailed(inputs.size(), closed ? Failures.closed(pluginId, function) : Failures.noSuchFunction(pluginId, function, functions));
    }
    List<byte[]> copies = new ArrayList<>(inputs.size());
    for (byte[] input : inputs) {
      if (input.length > maxMessageBytes) {
        return allFailed(inputs.size(), Failures.tooLarge(pluginId, function, "input", input.length, maxMessageBytes));
      }
      copies.add(input.clone());
    }
    AtomicReferenceArray<MapOutcome> outcomes = new AtomicReferenceArray<>(copies.size());
    LocalCallContext first = new LocalCallContext(function, timeout, metadata, executor);
    int size = chunkSize(copies.size());
    List<Chunk> chunks = new ArrayList<>();
    for (int from = 0; from < copies.size(); from += size) {
      Chunk chunk = new Chunk(from, Math.min(copies.size(), from + size), chunks.isEmpty() ? first : first.sibling());
      chunks.add(chunk);
      start(chunk, unary, copies, outcomes, functions.nonBlocking(function) && chunk.size() <= IoThread.INLINE_BATCH_LIMIT);
    }
    boolean interrupted = false;
    for (Chunk chunk : chunks) {
      if (chunk.done == null) {
        continue;
      }
      try {
        chunk.done.get(Math.max(0, first.remainingNanos()), TimeUnit.NANOSECONDS);
        // Inputs a chunk left undone: it stopped at the deadline, or when the plugin was closed.
        chunk.unfinished = Failures.cutShort(pluginId, chunk.call);
      } catch (TimeoutException e) {
        chunk.unfinished = Failures.deadlineExceeded(pluginId, function, timeout);
      } catch (InterruptedException e) {
        interrupted = true;
        break;
      } catch (ExecutionException e) {
        chunk.unfinished =
            chunk.call.cancelledBeforeFinish()
                ? Failures.cutShort(pluginId, chunk.call)
                : Failures.thrown(pluginId, function, e.getCause());
      }
    }
    // Settled before the functions hear of the cancellation: what ends after that came too late.
    List<MapOutcome> result = new ArrayList<>(copies.size());
    for (Chunk chunk : chunks) {
      CallFailedException unfinished =
          interrupted
              ? Failures.interrupted(pluginId, function)
              : chunk.unfinished != null ? chunk.unfinished : Failures.deadlineExceeded(pluginId, function, timeout);
      MapOutcome notDone = MapOutcome.failure(unfinished);
      for (int i = chunk.from; i < chunk.to; i++) {
        outcomes.compareAndSet(i, null, notDone);
        result.add(outcomes.get(i));
      }
    }
    chunks.forEach(chunk -> chunk.call.cancel());
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return result;
  }

  /** The host's chunk size for a pool of one process: the inputs over four, rounded up. */
  static int chunkSize(int inputs) {
    return Math.max(1, (inputs + MAP_CHUNKS - 1) / MAP_CHUNKS);
  }

  /** Begins {@code chunk}'s call and hands it to its thread; a chunk that cannot start fails whole. */
  private void start(
      Chunk chunk, UnaryFunction unary, List<byte[]> inputs, AtomicReferenceArray<MapOutcome> outcomes, boolean onIoThread) {
    LocalCallContext call = chunk.call;
    try {
      begin(call);
    } catch (CallFailedException e) {
      chunk.unfinished = e;
      return;
    }
    call.arm();
    try {
      chunk.done =
          run(
              call,
              onIoThread,
              () -> {
                for (int i = chunk.from; i < chunk.to && !call.isCancelled(); i++) {
                  MapOutcome outcome = item(call, unary, inputs.get(i));
                  // An input done after the deadline (or once the caller gave up) stays failed,
                  // as the host's would.
                  if (!call.isCancelled()) {
                    outcomes.compareAndSet(i, null, outcome);
                  }
                }
                return null;
              });
    } catch (RejectedExecutionException e) {
      end(call);
      chunk.unfinished = Failures.closed(pluginId, call.function());
    }
  }

  /** One chunk of a map: inputs {@code from} (inclusive) to {@code to}, one call. */
  private static final class Chunk {
    final int from;
    final int to;
    final LocalCallContext call;
    Future<?> done;
    CallFailedException unfinished;

    Chunk(int from, int to, LocalCallContext call) {
      this.from = from;
      this.to = to;
      this.call = call;
    }

    int size() {
      return to - from;
    }
  }

  private MapOutcome item(LocalCallContext call, UnaryFunction unary, byte[] input) {
    try {
      byte[] output = unary.apply(call, input);
      output = output == null ? new byte[0] : output;
      if (output.length > maxMessageBytes) {
        return MapOutcome.failure(Failures.tooLarge(pluginId, call.function(), "output", output.length, maxMessageBytes));
      }
      return MapOutcome.success(output);
    } catch (Throwable t) {
      return MapOutcome.failure(Failures.thrown(pluginId, call.function(), t));
    }
  }

  private static List<MapOutcome> allFailed(int count, CallFailedException error) {
    List<MapOutcome> outcomes = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      outcomes.add(MapOutcome.failure(error));
    }
    return outcomes;
  }

  /**
   * Opens a pipe to a streaming function; see {@code PluginUnderTest.openPipe}. A function the
   * plugin does not have fails the pipe with UNIMPLEMENTED, as the host's does.
   */
  public CallerPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    Objects.requireNonNull(function, "function");
    checkTimeout(timeout);
    Objects.requireNonNull(metadata, "metadata");
    LocalCallContext call = new LocalCallContext(function, timeout, metadata, executor);
    LocalPipe pipe = new LocalPipe(pluginId, call, maxMessageBytes);
    StreamingFunction streaming = functions.streaming(function);
    if (streaming == null) {
      if (closed) {
        throw Failures.closed(pluginId, function);
      }
      pipe.functionFailed(Failures.noSuchFunction(pluginId, function, functions));
      return pipe;
    }
    begin(call);
    call.arm();
    try {
      executor.execute(() -> serve(call, streaming, pipe));
    } catch (RejectedExecutionException e) {
      end(call);
      throw Failures.closed(pluginId, function);
    }
    return pipe;
  }

  private void serve(LocalCallContext call, StreamingFunction streaming, LocalPipe pipe) {
    try {
      runOnCallThread(call, () -> {
        streaming.run(call, pipe.pluginEnd());
        return null;
      });
      pipe.functionReturned();
    } catch (Throwable t) {
      pipe.functionFailed(Failures.thrown(pluginId, call.function(), t));
    }
  }

  private synchronized void begin(LocalCallContext call) {
    if (closed) {
      throw Failures.closed(pluginId, call.function());
    }
    running.add(call);
  }

  private void end(LocalCallContext call) {
    synchronized (this) {
      running.remove(call);
      notifyAll();
    }
  }

  /** Refuses every later call with FAILED_PRECONDITION. */
  public synchronized void close() {
    closed = true;
  }

  /** Waits until no function runs, at most {@code timeout}; returns whether none does. */
  public synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + Deadlines.nanos(timeout);
    while (!running.isEmpty()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Cancels every call still running, so that its function sees it and can stop. */
  public void cancelAll() {
    List<LocalCallContext> calls = new ArrayList<>(running);
    calls.forEach(LocalCallContext::cancel);
  }

  /** The functions still running, for a message that says which would not end. */
  public List<String> runningFunctions() {
    List<String> names = new ArrayList<>();
    running.forEach(call -> names.add(call.function()));
    names.sort(null);
    return names;
  }

  private static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
  }
}
