package dev.pluginhost.bench;

import dev.pluginhost.bench.baseline.BaselinesCommand;
import dev.pluginhost.bench.compare.CompareCommand;
import dev.pluginhost.bench.figures.FigureOptions;
import dev.pluginhost.bench.figures.Figures;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

/**
 * The benchmark launcher: {@code java -jar bench/target/pluginhost-bench.jar recovery|baselines
 * [options]}.
 * Benchmarks are run by hand and their figures go to BENCHMARKS.md; CI never runs them.
 */
public final class BenchMain {
  private static final Path SAMPLES = Path.of("samples", "target", "plugins");
  private static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar bench/target/pluginhost-bench.jar recovery [options]",
          "       java -jar bench/target/pluginhost-bench.jar baselines [options]",
          "       java -jar bench/target/pluginhost-bench.jar figures [options]",
          "       java -jar bench/target/pluginhost-bench.jar compare [options]",
          "",
          "  recovery          time a plugin's recovery from SIGKILL, cold and with a warm spare,",
          "                    against a cold start and a call's round trip in the same run",
          "",
          "  --reps N          measured rounds (default 15)",
          "  --warmup N        rounds run first and thrown away (default 2)",
          "  --restart-delay-ms N",
          "                    how long the host waits before replacing a dead process (default 1;",
          "                    the host's own default is 100, doubling)",
          "  --plugins DIR     the sample plugins (default: samples/target/plugins of this build)",
          "  --verbose         also show the host's log and the plugins' output",
          "",
          "  figures           the host's figures against real plugin JVMs: round trip, calls/s,",
          "                    map, bulk payload, host services, cold start, recovery, hang",
          "                    detection, orphan cleanup, memory, scale; a table on stdout,",
          "                    progress on stderr",
          "",
          "  --only A,B        only these figures (see --list)",
          "  --quick           fewer repetitions: checks that all works; not numbers to quote",
          "  --list            list the figures and exit",
          "  --plugins DIR     the sample plugins (default: samples/target/plugins of this build)",
          "  --verbose         also show the host's log and the plugins' output",
          "",
          BaselinesCommand.USAGE,
          "",
          CompareCommand.USAGE);

  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
    }
    if (args[0].equals("baselines")) {
      return BaselinesCommand.run(Arrays.asList(args).subList(1, args.length), findSamples(), out, err);
    }
    if (args[0].equals("compare")) {
      Path samples = samples(null, err);
      if (samples == null) {
        return 1;
      }
      try {
        return CompareCommand.run(Arrays.asList(args).subList(1, args.length), samples, out, err);
      } catch (Exception e) {
        err.println("compare failed: " + e);
        e.printStackTrace(err);
        return 1;
      }
    }
    if (args[0].equals("figures")) {
      return figures(Arrays.asList(args).subList(1, args.length), out, err);
    }
    if (!args[0].equals("recovery")) {
      err.println("unknown benchmark '" + args[0] + "'\n\n" + USAGE);
      return 2;
    }
    RecoveryBenchmark.Options options = new RecoveryBenchmark.Options();
    boolean verbose = false;
    Path plugins = null;
    try {
      for (int i = 1; i < args.length; i++) {
        switch (args[i]) {
          case "--reps" -> options.reps = count(args, ++i, 1);
          case "--warmup" -> options.warmup = count(args, ++i, 0);
          case "--restart-delay-ms" -> options.restartDelay = Duration.ofMillis(count(args, ++i, 1));
          case "--plugins" -> plugins = Path.of(value(args, ++i));
          case "--verbose" -> verbose = true;
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage() + "\n\n" + USAGE);
      return 2;
    }
    configureLogging(verbose);
    options.plugins = samples(plugins, err);
    if (options.plugins == null) {
      return 1;
    }
    try {
      return new RecoveryBenchmark(options, out, System.err).run();
    } catch (Exception e) {
      err.println("benchmark failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  private static int figures(java.util.List<String> args, PrintStream out, PrintStream err) {
    FigureOptions options;
    try {
      options = FigureOptions.parse(args, Figures.ids());
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage() + "\n\n" + USAGE);
      return 2;
    }
    configureLogging(options.verbose());
    Path samples = options.list() ? Path.of("") : samples(options.plugins(), err);
    if (samples == null) {
      return 1;
    }
    try {
      return Figures.command(options, samples, out, err);
    } catch (Exception e) {
      err.println("figures failed: " + e);
      e.printStackTrace(err);
      return 1;
    }
  }

  /** Set before the first logger exists. */
  private static void configureLogging(boolean verbose) {
    // Every kill is a death the host logs as a warning; the benchmarks print their own tables.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
    // gRPC asks every Unix-socket channel for SO_KEEPALIVE, which does not apply; Netty warns.
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
  }

  /** The sample plugins' folder: {@code given}, or this build's; null, said on err, if missing. */
  private static Path samples(Path given, PrintStream err) {
    Path samples = given != null ? given.toAbsolutePath() : findSamples();
    if (samples == null || !Files.isDirectory(samples)) {
      err.println(
          "cannot find the sample plugins" + (samples == null ? "" : " at " + samples)
              + "; build them first (mvn -B -q package -DskipTests) or pass --plugins DIR");
      return null;
    }
    return samples;
  }

  private static String value(String[] args, int i) {
    if (i >= args.length) {
      throw new IllegalArgumentException(args[i - 1] + " needs a value");
    }
    return args[i];
  }

  private static int count(String[] args, int i, int least) {
    String text = value(args, i);
    try {
      int n = Integer.parseInt(text);
      if (n >= least) {
        return n;
      }
    } catch (NumberFormatException e) {
      // Reported below.
    }
    throw new IllegalArgumentException(args[i - 1] + " takes a whole number of at least " + least + ", got '" + text + "'");
  }

  /**
   * samples/target/plugins beside this build ({@code bench/target/pluginhost-bench.jar} sits two
   * levels below the project root), else under the working directory; null if neither has them.
   */
  private static Path findSamples() {
    try {
      Path jar = Path.of(BenchMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path root = jar.getParent() == null ? null : jar.getParent().getParent();
      if (root != null && root.getParent() != null && Files.isDirectory(root.getParent().resolve(SAMPLES))) {
        return root.getParent().resolve(SAMPLES);
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall through to the working directory.
    }
    Path local = Path.of("").toAbsolutePath().resolve(SAMPLES);
    return Files.isDirectory(local) ? local : null;
  }
}
