package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Cold start of the {@code squares} sample, two ways: {@code enableAsync()} of the disabled plugin
 * in a running host, with a call made at once (it waits in the queue), to that call's answer; and
 * a whole new host (build, {@code startAsync}, {@code awaitRunning}, a call) to the answer, with
 * the time its {@code close()} took after.
 */
public final class ColdStartFigure implements Figure {

  @Override
  public String id() {
    return "coldstart";
  }

  @Override
  public String title() {
    return "cold start: spawn of a plugin JVM to its first answer (squares, one process)";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int warmup = 1;
    int rounds = context.pick(12, 3);
    int hostRounds = context.pick(5, 2);
    Samples enable = new Samples("enableAsync() to first answer");
    Samples newHost = new Samples("new host: build + start to first answer");
    Samples close = new Samples("  its close()");
    PluginSettings settings = BenchSettings.builder().processes(1).build();
    Path plugins = context.pluginsDirectory(id(), "squares");
    try (PluginHost host =
        context.hostBuilder(id(), plugins).defaults(settings).startDisabled(Set.of("squares")).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      context.progress().printf("  enable: %d warm-up round, %d measured%n", warmup, rounds);
      for (int round = 0; round < warmup + rounds; round++) {
        long start = System.nanoTime();
        squares.enableAsync();
        PluginWaits.squareOfSevenSource(squares.callText("square", "7", Duration.ofSeconds(60)));
        long took = System.nanoTime() - start;
        if (round >= warmup) {
          enable.add(took / 1e6);
        }
        PluginWaits.settle(squares, 1, 0, context.ledger(), PluginWaits.QUIET);
        squares.disableAsync().get(PluginWaits.SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        PluginWaits.awaitNoProcesses(squares, PluginWaits.QUIET);
      }
    }
    context.progress().printf("  new host: %d rounds%n", hostRounds);
    for (int round = 0; round < hostRounds; round++) {
      long start = System.nanoTime();
      PluginHost host = context.hostBuilder(id() + "-host", plugins).defaults(settings).build();
      long closing;
      try {
        host.startAsync().awaitRunning(Duration.ofMinutes(2));
        PluginHandle squares = context.watch(host.plugin("squares"));
        PluginWaits.squareOfSevenSource(squares.callText("square", "7", Duration.ofSeconds(60)));
        newHost.add((System.nanoTime() - start) / 1e6);
        PluginWaits.settle(squares, 1, 0, context.ledger(), Duration.ZERO);
      } finally {
        closing = System.nanoTime();
        host.close();
      }
      close.add((System.nanoTime() - closing) / 1e6);
      Thread.sleep(PluginWaits.QUIET.toMillis());
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares, processes(1), host defaults otherwise (sandbox AUTO)");
    used.put("enable", "host started with squares disabled; each round enableAsync(), callText(\"square\", \"7\") at once; "
        + warmup + " warm-up round, " + rounds + " measured, settled and quiet between");
    used.put("new host", hostRounds + " rounds, a fresh work directory each, the runner's cache shared");
    return new FigureResult(
        id(),
        title(),
        List.of(new Measure(enable, "ms"), new Measure(newHost, "ms"), new Measure(close, "ms")),
        used,
        List.of());
  }
}
