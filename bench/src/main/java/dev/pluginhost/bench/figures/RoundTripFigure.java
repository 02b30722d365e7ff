package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
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
 * {@code squares} sample served by one process, after a warm-up of thousands of calls. Measured for
 * {@code square}, declared NON_BLOCKING (the runner runs it on its I/O thread), and for {@code
 * squareOnThread}, the same work run the ordinary way on a call thread, in alternating blocks so
 * both see the same machine.
 */
public final class RoundTripFigure implements Figure {
  static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  @Override
  public String id() {
    return "roundtrip";
  }

  static final String NON_BLOCKING = "square";
  static final String ON_THREAD = "squareOnThread";
  private static final int BLOCK = 1_000;

  @Override
  public String title() {
    return "round trip of one small call (square(\"7\") on squares), one caller, warm process";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int warmup = context.pick(5_000, 2_000);
    int calls = context.pick(10_000, 2_000);
    Samples inline = new Samples("round trip, " + NON_BLOCKING + " (NON_BLOCKING: on the I/O thread)");
    Samples onThread = new Samples("round trip, " + ON_THREAD + " (on a call thread)");
    PluginSettings settings = BenchSettings.builder().processes(1).build();
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "squares")).defaults(settings).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      PluginWaits.settle(squares, 1, 0, context.ledger(), PluginWaits.QUIET);
      context.progress().printf("  warming up with %d calls, then %d measured%n", warmup, calls);
      roundTrips(squares, NON_BLOCKING, warmup, new Samples("discarded"));
      roundTrips(squares, ON_THREAD, warmup, new Samples("discarded"));
      for (int done = 0; done < calls; done += BLOCK) {
        roundTrips(squares, NON_BLOCKING, Math.min(BLOCK, calls - done), inline);
        roundTrips(squares, ON_THREAD, Math.min(BLOCK, calls - done), onThread);
      }
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares, processes(1), host defaults otherwise");
    used.put("call", "callText(F, \"7\"), one at a time, F in alternating blocks of " + BLOCK);
    used.put("warm-up calls", warmup + " of each");
    used.put("measured calls", calls + " of each");
    return new FigureResult(
        id(), title(), List.of(new Measure(inline, "ms"), new Measure(onThread, "ms")), used, List.of());
  }

  /** Makes {@code calls} calls of {@code function} one after another, adding each one's round trip in ms. */
  static void roundTrips(PluginHandle squares, String function, int calls, Samples into) {
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      String answer = squares.callText(function, "7", CALL_TIMEOUT);
      into.add((System.nanoTime() - start) / 1e6);
      PluginWaits.squareOfSevenSource(answer);
    }
  }
}
