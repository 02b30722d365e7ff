package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code map} of {@code square} over many trivial inputs on a pool of two, like Python's {@code
 * Pool(2).map}: one input per call (chunk size 1), a chunk size of 100, and the default chunking
 * (inputs / (4 x processes), as Python's). Each map gives one value, in inputs per second.
 */
public final class MapFigure implements Figure {
  private static final int PROCESSES = 2;

  @Override
  public String id() {
    return "map";
  }

  @Override
  public String title() {
    return "map(\"square\") over trivial inputs, pool of " + PROCESSES + ", by chunk size";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int inputs = context.pick(100_000, 20_000);
    int repsOne = context.pick(2, 1);
    int reps = context.pick(5, 2);
    List<byte[]> items = Collections.nCopies(inputs, "7".getBytes(StandardCharsets.UTF_8));
    Samples one = new Samples("chunk size 1");
    Samples hundred = new Samples("chunk size 100");
    Samples byDefault = new Samples("default chunking (" + (inputs + 4 * PROCESSES - 1) / (4 * PROCESSES) + " a chunk)");
    PluginSettings settings =
        BenchSettings.builder().processes(PROCESSES).maxConcurrentCallsPerProcess(64).maxQueuedCalls(10_000).build();
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "squares")).defaults(settings).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      PluginWaits.settle(squares, PROCESSES, 0, context.ledger(), PluginWaits.QUIET);
      context.progress().printf("  warming up: one map of %d inputs with chunk size 1, one of each other%n", inputs / 5);
      List<byte[]> fifth = items.subList(0, inputs / 5);
      itemsPerSecond(squares, fifth, 1);
      itemsPerSecond(squares, fifth, 100);
      itemsPerSecond(squares, fifth, 0);
      for (int i = 0; i < repsOne; i++) {
        one.add(itemsPerSecond(squares, items, 1));
      }
      for (int i = 0; i < reps; i++) {
        hundred.add(itemsPerSecond(squares, items, 100));
        byDefault.add(itemsPerSecond(squares, items, 0));
      }
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares, processes(" + PROCESSES + "), maxConcurrentCallsPerProcess(64)");
    used.put("inputs", inputs + " x \"7\" a map");
    used.put("call", "map(\"square\", inputs, MapOptions.timeout(5 min).chunkSize(c)); one value a map");
    used.put("maps", repsOne + " with chunk size 1, " + reps + " of each other, after a warm-up");
    return new FigureResult(
        id(),
        title(),
        List.of(new Measure(one, "items/s"), new Measure(hundred, "items/s"), new Measure(byDefault, "items/s")),
        used,
        List.of());
  }

  /** Maps {@code square} over {@code items}; checks every answer; returns inputs per second. */
  static double itemsPerSecond(PluginHandle squares, List<byte[]> items, int chunkSize) {
    long start = System.nanoTime();
    List<CallOutcome> outcomes =
        squares.map("square", items, MapOptions.timeout(Duration.ofMinutes(5)).chunkSize(chunkSize));
    double seconds = (System.nanoTime() - start) / 1e9;
    List<CallOutcome> failed = new ArrayList<>();
    for (CallOutcome outcome : outcomes) {
      if (!outcome.succeeded()) {
        failed.add(outcome);
      } else {
        PluginWaits.squareOfSevenSource(outcome.text());
      }
    }
    if (outcomes.size() != items.size() || !failed.isEmpty()) {
      throw new IllegalStateException(
          "map with chunk size " + chunkSize + ": " + outcomes.size() + " outcomes for " + items.size() + " inputs, "
              + failed.size() + " failed" + (failed.isEmpty() ? "" : ", first: " + failed.get(0)));
    }
    return items.size() / seconds;
  }
}
