package dev.pluginhost.bench.compare;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.baseline.BaselineResult;
import dev.pluginhost.bench.baseline.BaselineTable;
import dev.pluginhost.bench.baseline.Baselines;
import dev.pluginhost.bench.baseline.Machine;
import dev.pluginhost.bench.figures.Figure;
import dev.pluginhost.bench.figures.FigureContext;
import dev.pluginhost.bench.figures.FigureResult;
import dev.pluginhost.bench.figures.FigureTable;
import dev.pluginhost.bench.figures.Figures;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code compare}: the baselines, then every figure of the host's, in one run, then the table that
 * sets each figure against its baseline from this same run (ratios of medians) or its target.
 */
public final class CompareCommand {
  public static final String USAGE =
      String.join(
          "\n",
          "  compare           everything in one run: the baselines, the host's figures, and a table of",
          "                    ratios to the baselines and the issue's bars (about 8 minutes)",
          "",
          "  --quick           fewer repetitions: checks that all works; not numbers to quote",
          "  --python CMD      the Python to compare with (default python3)");

  private CompareCommand() {}

  /** Runs it; returns the exit code: 0 when everything ran (bars met or not), 1 if something failed. */
  public static int run(List<String> args, Path samples, PrintStream out, PrintStream err) throws Exception {
    boolean quick = false;
    String python = "python3";
    for (int i = 0; i < args.size(); i++) {
      switch (args.get(i)) {
        case "--quick" -> quick = true;
        case "--python" -> {
          if (++i >= args.size()) {
            err.println("--python needs a value");
            return 2;
          }
          python = args.get(i);
        }
        default -> {
          err.println("unknown option " + args.get(i) + "\n\n" + USAGE);
          return 2;
        }
      }
    }
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
    long began = System.nanoTime();
    out.println("plugin-host compare" + (quick ? " (QUICK: too few repetitions to quote)" : ""));
    out.println(Machine.current().describe());
    if (!BenchSettings.extraJvmOptions().isEmpty()) {
      out.println("plugin JVM options added to the host's defaults: " + BenchSettings.extraJvmOptions());
    }
    out.println("load average before: " + Machine.loadAverage());
    out.println();
    out.flush();

    List<BaselineResult> baselines =
        Baselines.runAll(
            Baselines.standard(samples.resolve("squares.jar"), System.getProperty("java.class.path"), python),
            err::println);
    out.println("baselines");
    out.print(BaselineTable.format(baselines));
    out.println();
    out.flush();

    List<FigureResult> figures = new ArrayList<>();
    List<String> failed = new ArrayList<>();
    baselines.stream()
        .filter(b -> b.status() == BaselineResult.Status.FAILED)
        .forEach(b -> failed.add("baseline " + b.baseline()));
    try (FigureContext context = FigureContext.create(samples, quick, err)) {
      for (Figure figure : Figures.all()) {
        err.printf("%s: %s%n", figure.id(), figure.title());
        try {
          FigureResult result = figure.run(context);
          figures.add(result);
          out.print(FigureTable.format(result));
          out.println();
        } catch (Exception e) {
          failed.add(figure.id());
          out.printf("%s: FAILED: %s%n%n", figure.id(), e);
          e.printStackTrace(err);
        }
        out.flush();
      }
    }

    out.println("the host against the baselines of this run and the issue's bars");
    out.print(Tables.format(ComparisonRows.of(baselines, figures)));
    out.println();
    out.println("load average after: " + Machine.loadAverage());
    out.printf("compare took %d s%s%n",
        Duration.ofNanos(System.nanoTime() - began).toSeconds(),
        failed.isEmpty() ? "" : "; FAILED: " + String.join(", ", failed));
    return failed.isEmpty() ? 0 : 1;
  }
}
