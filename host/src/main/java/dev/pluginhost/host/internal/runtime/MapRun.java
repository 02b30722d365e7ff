package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginSettings;
import io.grpc.Deadline;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * One map: inputs cut into chunks, each chunk one call, a bounded window of chunks in flight so a
 * map of a million inputs never floods the queue. Every input ends with exactly one outcome: a
 * chunk that fails as a whole (its process died and it could not be retried, or the deadline
 * passed) gives each of its inputs that chunk's error.
 */
final class MapRun {
  /** Extra time an unordered iterator waits past the deadline for the last verdicts to arrive. */
  private static final long VERDICT_SLACK_MILLIS = 2000;
  /** Chunks of this many inputs or more keep four a process in flight; smaller ones more. */
  static final int SMALL_CHUNK = 64;

  private final PluginSupervisor supervisor;
  private final String function;
  private final List<byte[]> inputs;
  private final MapOptions options;
  private final Deadline deadline;
  private final int chunkSize;
  private final int window;
  private final BiConsumer<Integer, CallOutcome> sink;
  private final Set<ListenableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
  private final java.util.concurrent.atomic.AtomicInteger submitRequests = new java.util.concurrent.atomic.AtomicInteger();
  private int nextInput;
  private volatile boolean cancelled;

  private MapRun(
      PluginSupervisor supervisor, String function, List<byte[]> inputs, MapOptions options,
      PluginSettings settings, BiConsumer<Integer, CallOutcome> sink) {
    this.supervisor = supervisor;
    this.function = function;
    this.inputs = List.copyOf(inputs);
    this.options = options;
    this.deadline = Deadline.after(options.timeout().toNanos(), TimeUnit.NANOSECONDS);
    this.chunkSize = options.chunkSize() > 0 ? options.chunkSize() : autoChunkSize(inputs.size(), settings.processes());
    this.window =
        window(chunkSize, settings.processes(), settings.maxConcurrentCallsPerProcess(), settings.maxQueuedCalls());
    this.sink = sink;
  }

  /**
   * How many chunks a map keeps in flight: enough to keep every process busy, and as many again
   * waiting so none idles between one chunk and the next. Small chunks are over in about a round
   * trip, so they need many in flight to hide it: up to every call slot of the pool for chunks of
   * one input, down to four a process for chunks of {@value #SMALL_CHUNK} inputs or more. Never
   * more than the pool can run and queue, less one place a process, so a map alone is never
   * refused for a full queue.
   */
  static int window(int chunkSize, int processes, int maxConcurrentCallsPerProcess, int maxQueuedCalls) {
    long perProcess = Math.max(4, SMALL_CHUNK / Math.max(1, chunkSize));
    long wanted = Math.max(2, (long) processes * Math.min(maxConcurrentCallsPerProcess, perProcess) * 2);
    // A chunk's place in its process is given back only after the map hears its result and sends
    // the next chunk: one place a process is left free, or that next chunk would find the pool and
    // its queue full and be refused.
    long room = (long) processes * maxConcurrentCallsPerProcess + maxQueuedCalls - processes;
    return (int) Math.max(1, Math.min(wanted, room));
  }

  /** Python's rule: the inputs over four times the pool size, rounded up. */
  static int autoChunkSize(int inputs, int processes) {
    int per = 4 * Math.max(1, processes);
    return Math.max(1, (inputs + per - 1) / per);
  }

  /** Results in input order, once all are in. Cancelling the future cancels the chunks in flight. */
  static ListenableFuture<List<CallOutcome>> ordered(
      PluginSupervisor supervisor, String function, List<byte[]> inputs, MapOptions options, PluginSettings settings) {
    CallOutcome[] outcomes = new CallOutcome[inputs.size()];
    SettableFuture<List<CallOutcome>> all = SettableFuture.create();
    int[] remaining = {inputs.size()};
    MapRun run =
        new MapRun(supervisor, function, inputs, options, settings,
            (index, outcome) -> {
              boolean last;
              synchronized (outcomes) {
                outcomes[index] = outcome;
                last = --remaining[0] == 0;
              }
              if (last) {
                all.set(Arrays.asList(outcomes));
              }
            });
    all.addListener(() -> { if (all.isCancelled()) { run.cancel(); } }, directExecutor());
    if (inputs.isEmpty()) {
      all.set(List.of());
    } else {
      run.start();
    }
    return all;
  }

  /** Results as they come; {@code next()} waits, within the map's deadline. */
  static Iterator<MapResult> unordered(
      PluginSupervisor supervisor, String function, List<byte[]> inputs, MapOptions options, PluginSettings settings) {
    LinkedBlockingQueue<MapResult> results = new LinkedBlockingQueue<>();
    MapRun run =
        new MapRun(supervisor, function, inputs, options, settings,
            (index, outcome) -> results.add(new MapResult(index, outcome)));
    run.start();
    return new Iterator<>() {
      private int delivered;

      @Override
      public boolean hasNext() {
        return delivered < inputs.size();
      }

      @Override
      public MapResult next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        MapResult result;
        try {
          result =
              results.poll(
                  Math.max(0, run.deadline.timeRemaining(TimeUnit.MILLISECONDS)) + VERDICT_SLACK_MILLIS,
                  TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          run.cancel();
          throw new PluginCallException(
              Status.Code.CANCELLED, supervisor.id(), function, -1, "interrupted while waiting for a map", null, null, e);
        }
        if (result == null) {
          run.cancel();
          throw new PluginCallException(
              Status.Code.DEADLINE_EXCEEDED, supervisor.id(), function, -1,
              "the map over " + inputs.size() + " inputs did not finish within " + options.timeout().toMillis() + " ms",
              null, null, null);
        }
        delivered++;
        return result;
      }
    };
  }

  private void start() {
    for (int i = 0; i < window; i++) {
      requestSubmit();
    }
  }

  /**
   * Submits one more chunk, on this thread or on the one already submitting. A chunk that fails
   * at once completes inside the submitting call; without this trampoline, each such failure
   * would submit the next chunk one stack frame deeper.
   */
  private void requestSubmit() {
    if (submitRequests.getAndIncrement() > 0) {
      return;
    }
    do {
      submitNextChunk();
    } while (submitRequests.decrementAndGet() > 0);
  }

  /** Submits the next chunk, if any is left. */
  private void submitNextChunk() {
    int from;
    int to;
    synchronized (this) {
      if (nextInput >= inputs.size() || cancelled) {
        return;
      }
      from = nextInput;
      to = Math.min(inputs.size(), from + chunkSize);
      nextInput = to;
    }
    ListenableFuture<List<CallOutcome>> chunk =
        supervisor.callBatch(
            function, inputs.subList(from, to), deadline, options.timeout(), options.metadata(),
            options.idempotent().orElse(null));
    inFlight.add(chunk);
    Futures.addCallback(
        chunk,
        new FutureCallback<>() {
          @Override
          public void onSuccess(List<CallOutcome> outcomes) {
            for (int i = 0; i < outcomes.size(); i++) {
              sink.accept(from + i, outcomes.get(i));
            }
            finished(chunk);
          }

          @Override
          public void onFailure(Throwable t) {
            PluginCallException error =
                t instanceof PluginCallException
                    ? (PluginCallException) t
                    : new PluginCallException(
                        Status.Code.CANCELLED, supervisor.id(), function, -1, "the map was cancelled", null, null, t);
            for (int i = from; i < to; i++) {
              sink.accept(i, CallOutcome.failure(error));
            }
            finished(chunk);
          }
        },
        directExecutor());
  }

  private void finished(ListenableFuture<?> chunk) {
    inFlight.remove(chunk);
    requestSubmit();
  }

  private void cancel() {
    cancelled = true;
    for (ListenableFuture<?> chunk : new ArrayList<>(inFlight)) {
      chunk.cancel(true);
    }
  }
}
