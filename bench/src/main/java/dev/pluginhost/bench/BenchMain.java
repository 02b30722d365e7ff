package dev.pluginhost.bench;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The benchmark launcher: {@code java -jar bench/target/pluginhost-bench.jar recovery [options]}.
 * Benchmarks are run by hand and their figures go to BENCHMARKS.md; CI never runs them.
 */
public final class BenchMain {
  private static final Path SAMPLES = Path.of("samples", "target", "plugins");
  private static final String USAGE =
      String.join(
          "\n",
          "usage: java -jar bench/target/pluginhost-bench.jar recovery [options]",
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
          "  --verbose         also show the host's log and the plugins' output");

  private BenchMain() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      (args.length == 0 ? err : out).println(USAGE);
      return args.length == 0 ? 2 : 0;
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
    // Set before the first logger exists. Every kill is a death the host logs as a warning; the
    // benchmark prints its own table instead.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "info" : "error");
    // gRPC asks every Unix-socket channel for SO_KEEPALIVE, which does not apply; Netty warns.
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");

    options.plugins = plugins != null ? plugins.toAbsolutePath() : findSamples();
    if (options.plugins == null || !Files.isDirectory(options.plugins)) {
      err.println(
          "cannot find the sample plugins" + (options.plugins == null ? "" : " at " + options.plugins)
              + "; build them first (mvn -B -q package -DskipTests) or pass --plugins DIR");
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
