package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Calls per second with many small calls in flight ({@code callAsync} of {@code square("7")},
 * {@value #IN_FLIGHT} at a time), to one process and to a pool of two. Each pool is warmed up,
 * then measured over several windows of a fixed length, alternating between {@code square}
 * (NON_BLOCKING) and {@code squareOnThread}; each window gives one value.
 */
public final class ThroughputFigure implements Figure {
  static final int IN_FLIGHT = 64;
  private static final byte[] SEVEN = "7".getBytes(StandardCharsets.UTF_8);

  @Override
  public String id() {
    return "throughput";
  }

  @Override
  public String title() {
    return "calls per second, " + IN_FLIGHT + " small calls in flight (callAsync of square(\"7\") on squares)";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    Duration warmup = Duration.ofMillis(context.pick(3000, 1000));
    Duration window = Duration.ofMillis(context.pick(1000, 500));
    int windows = context.pick(6, 3);
    List<Measure> measures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    for (int processes : new int[] {1, 2}) {
      Samples inline = new Samples("processes(" + processes + "), " + RoundTripFigure.NON_BLOCKING + " (NON_BLOCKING)");
      Samples onThread = new Samples("processes(" + processes + "), " + RoundTripFigure.ON_THREAD);
      measure(context, processes, warmup, window, windows, inline, onThread, notes);
      measures.add(new Measure(inline, "calls/s"));
      measures.add(new Measure(onThread, "calls/s"));
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares");
    used.put("in flight", IN_FLIGHT + " (a new call as each ends)");
    used.put("limits", "maxConcurrentCallsPerProcess(" + IN_FLIGHT + "), maxQueuedCalls(" + 4 * IN_FLIGHT + ")");
    used.put("warm-up", warmup.toMillis() + " ms");
    used.put("windows", windows + " of " + window.toMillis() + " ms, one value each");
    return new FigureResult(id(), title(), measures, used, notes);
  }

  private void measure(
      FigureContext context,
      int processes,
      Duration warmup,
      Duration window,
      int windows,
      Samples inline,
      Samples onThread,
      List<String> notes)
      throws Exception {
    PluginSettings settings =
        BenchSettings.builder()
            .processes(processes)
            .maxConcurrentCallsPerProcess(IN_FLIGHT)
            .maxQueuedCalls(4 * IN_FLIGHT)
            .build();
    try (PluginHost host =
        context.hostBuilder(id() + processes, context.pluginsDirectory(id() + processes, "squares"))
            .defaults(settings)
            .build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      PluginWaits.settle(squares, processes, 0, context.ledger(), PluginWaits.QUIET);
      context.progress().printf("  processes(%d): warming up for %d ms%n", processes, warmup.toMillis());
      Map<String, Integer> failures = new ConcurrentHashMap<>();
      callsPerSecond(squares, RoundTripFigure.NON_BLOCKING, IN_FLIGHT, warmup, failures);
      callsPerSecond(squares, RoundTripFigure.ON_THREAD, IN_FLIGHT, warmup, failures);
      for (int i = 0; i < windows; i++) {
        inline.add(callsPerSecond(squares, RoundTripFigure.NON_BLOCKING, IN_FLIGHT, window, failures));
        onThread.add(callsPerSecond(squares, RoundTripFigure.ON_THREAD, IN_FLIGHT, window, failures));
      }
      failures.forEach((error, count) -> notes.add("processes(" + processes + "): " + count + " calls failed: " + error));
    }
  }

  /**
   * Keeps {@code inFlight} calls going for {@code window}, then waits for the last ones, and
   * returns the calls that succeeded per second of the whole. Failed calls are counted by their
   * error's message into {@code failures}.
   */
  static double callsPerSecond(
      PluginHandle plugin, String function, int inFlight, Duration window, Map<String, Integer> failures)
      throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong succeeded = new AtomicLong();
    long start = System.nanoTime();
    long end = start + window.toNanos();
    while (System.nanoTime() < end) {
      slots.acquire();
      ListenableFuture<byte[]> call = plugin.callAsync(function, SEVEN, RoundTripFigure.CALL_TIMEOUT);
      call.addListener(
          () -> {
            try {
              Futures.getDone(call);
              succeeded.incrementAndGet();
            } catch (Exception e) {
              String what = String.valueOf(e.getCause() != null ? e.getCause().getMessage() : e.getMessage());
              failures.merge(what.replaceAll("\\d+", "N"), 1, Integer::sum);
            } finally {
              slots.release();
            }
          },
          directExecutor());
    }
    slots.acquire(inFlight);
    double seconds = (System.nanoTime() - start) / 1e9;
    return succeeded.get() / seconds;
  }
}
