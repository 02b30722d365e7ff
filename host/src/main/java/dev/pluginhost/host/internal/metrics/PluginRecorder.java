package dev.pluginhost.host.internal.metrics;

import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginMetrics;
import io.grpc.Status;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Everything {@link PluginMetrics} counts for one plugin. Thread-safe; see {@link CallRecorder}. */
public final class PluginRecorder {
  private static final Status.Code[] CODES = Status.Code.values();

  public final CallRecorder calls;
  public final CallRecorder mapChunks;
  public final CallRecorder pipes;
  private final LongAdder itemsSucceeded = new LongAdder();
  private final AtomicLongArray itemsFailed = new AtomicLongArray(CODES.length);

  /** @param nanoClock a monotonic clock, like {@link System#nanoTime()} */
  public PluginRecorder(LongSupplier nanoClock) {
    this.calls = new CallRecorder(nanoClock);
    this.mapChunks = new CallRecorder(nanoClock);
    this.pipes = new CallRecorder(nanoClock);
  }

  /** Counts each input of a map chunk that ended, by its outcome. */
  public void mapItems(List<CallOutcome> outcomes) {
    for (CallOutcome outcome : outcomes) {
      if (outcome.succeeded()) {
        itemsSucceeded.increment();
      } else {
        itemsFailed.incrementAndGet(outcome.error().map(PluginCallException::code).orElse(Status.Code.UNKNOWN).ordinal());
      }
    }
  }

  /** Counts {@code count} inputs of a map as failed with {@code code}: their chunk failed whole. */
  public void mapItemsFailed(int count, Status.Code code) {
    itemsFailed.addAndGet(code.ordinal(), count);
  }

  public PluginMetrics snapshot() {
    Map<Status.Code, Long> failed = new EnumMap<>(Status.Code.class);
    for (Status.Code code : CODES) {
      long count = itemsFailed.get(code.ordinal());
      if (count > 0) {
        failed.put(code, count);
      }
    }
    return new PluginMetrics(calls.snapshot(), mapChunks.snapshot(), pipes.snapshot(), itemsSucceeded.sum(), failed);
  }

  /** The code a finished call's future ended with: OK, its PluginCallException's, CANCELLED, or UNKNOWN. */
  public static Status.Code codeOf(Future<?> done) {
    if (done.isCancelled()) {
      return Status.Code.CANCELLED;
    }
    try {
      done.get();
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return codeOf(e.getCause());
    } catch (CancellationException e) {
      return Status.Code.CANCELLED;
    } catch (InterruptedException e) {
      // Not reached: the future is done. Keep the flag for whoever owns the thread.
      Thread.currentThread().interrupt();
      return Status.Code.UNKNOWN;
    }
  }

  /** The code an error stands for: its PluginCallException's, else UNKNOWN. */
  public static Status.Code codeOf(Throwable error) {
    return error instanceof PluginCallException ? ((PluginCallException) error).code() : Status.Code.UNKNOWN;
  }
}
