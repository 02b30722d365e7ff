package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The round trip of one small call, one caller, one call at a time: {@code square("7")} on the
 * {@code squares} sample served by one process, after a warm-up of thousands of calls.
 */
public final class RoundTripFigure implements Figure {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public String id() {
    return "roundtrip";
  }

  @Override
  public String title() {
    return "round trip of one small call (square(\"7\") on squares), one caller, warm process";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int warmup = context.pick(5_000, 2_000);
    int calls = context.pick(10_000, 2_000);
    Samples roundTrip = new Samples("round trip");
    PluginSettings settings = PluginSettings.builder().processes(1).build();
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "squares")).defaults(settings).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      PluginWaits.settle(squares, 1, 0, context.ledger(), PluginWaits.QUIET);
      context.progress().printf("  warming up with %d calls, then %d measured%n", warmup, calls);
      roundTrips(squares, warmup, new Samples("discarded"));
      roundTrips(squares, calls, roundTrip);
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares, processes(1), host defaults otherwise");
    used.put("call", "callText(\"square\", \"7\"), one at a time");
    used.put("warm-up calls", Integer.toString(warmup));
    used.put("measured calls", Integer.toString(calls));
    return new FigureResult(id(), title(), List.of(new Measure(roundTrip, "ms")), used, List.of());
  }

  /** Makes {@code calls} calls one after another, adding each one's round trip in ms. */
  static void roundTrips(PluginHandle squares, int calls, Samples into) {
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      String answer = squares.callText("square", "7", CALL_TIMEOUT);
      into.add((System.nanoTime() - start) / 1e6);
      PluginWaits.squareOfSevenSource(answer);
    }
  }
}
