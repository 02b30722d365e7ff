package dev.pluginhost.bench.figures;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The host's figures, and the {@code figures} command that measures and prints them. To run one
 * programmatically: {@code try (FigureContext c = FigureContext.create(samples, false, System.err))
 * { FigureResult r = Figures.byId("roundtrip").run(c); r.measure("round trip").samples().median(); }}
 */
public final class Figures {
  private Figures() {}

  /** Every figure, in the order a full run measures them. */
  public static List<Figure> all() {
    return List.of(
        new RoundTripFigure(),
        new ThroughputFigure(),
        new MapFigure(),
        new BulkFigure(),
        new ServicesFigure(),
        new ColdStartFigure(),
        new RecoveryFigure(),
        new HangFigure(),
        new OrphanFigure(),
        new MemoryFigure(),
        new ScaleFigure());
  }

  /** The ids of {@link #all()}, in order. */
  public static List<String> ids() {
    return all().stream().map(Figure::id).toList();
  }

  /**
   * The figure with this id.
   *
   * @throws IllegalArgumentException if there is none, naming those there are
   */
  public static Figure byId(String id) {
    Map<String, Figure> byId = all().stream().collect(Collectors.toMap(Figure::id, Function.identity()));
    Figure figure = byId.get(id);
    if (figure == null) {
      throw new IllegalArgumentException("no figure '" + id + "'; there are: " + String.join(",", ids()));
    }
    return figure;
  }

  /**
   * Runs the figures {@code options} selects, printing each one's block on {@code out} as it
   * finishes and progress on {@code err}. A figure that fails is reported and the rest still run.
   * Every plugin process started is gone when this returns.
   *
   * @param samples the folder of the sample plugins' jars
   * @return the process exit code: 0, or 1 if any figure failed
   */
  public static int command(FigureOptions options, java.nio.file.Path samples, PrintStream out, PrintStream err)
      throws Exception {
    if (options.list()) {
      all().forEach(f -> out.printf("%-12s %s%n", f.id(), f.title()));
      return 0;
    }
    List<Figure> chosen = options.only().isEmpty() ? all() : options.only().stream().map(Figures::byId).toList();
    long began = System.nanoTime();
    out.printf(
        "plugin-host figures%s: %s; machine: %d cores, %s %s, %s %s %s; run %s%n%n",
        options.quick() ? " (QUICK: too few repetitions to quote)" : "",
        chosen.stream().map(Figure::id).collect(Collectors.joining(",")),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"),
        Instant.now().truncatedTo(ChronoUnit.SECONDS));
    if (!dev.pluginhost.bench.BenchSettings.extraJvmOptions().isEmpty()) {
      out.printf("plugin JVM options added to the host's defaults: %s%n%n", dev.pluginhost.bench.BenchSettings.extraJvmOptions());
    }
    List<String> failed = new ArrayList<>();
    try (FigureContext context = FigureContext.create(samples, options.quick(), err)) {
      for (Figure figure : chosen) {
        err.printf("%s: %s%n", figure.id(), figure.title());
        long start = System.nanoTime();
        try {
          FigureResult result = figure.run(context);
          out.print(FigureTable.format(result));
          out.printf("  (took %d s)%n%n", Duration.ofNanos(System.nanoTime() - start).toSeconds());
        } catch (Exception e) {
          failed.add(figure.id());
          out.printf("%s: FAILED: %s%n%n", figure.id(), e);
          e.printStackTrace(err);
        }
        out.flush();
      }
    }
    out.printf("all took %d s%s%n",
        Duration.ofNanos(System.nanoTime() - began).toSeconds(),
        failed.isEmpty() ? "" : "; FAILED: " + String.join(",", failed));
    return failed.isEmpty() ? 0 : 1;
  }
}
