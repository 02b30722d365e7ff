package dev.pluginhost.bench.baseline;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The {@code baselines} command: runs the standard baselines ({@link Baselines#standard}) and
 * prints the machine, then one table. Progress goes to {@code err}, the report to {@code out}.
 */
public final class BaselinesCommand {
  public static final String USAGE =
      String.join(
          "\n",
          "  baselines         measure what the host's figures are compared with, in one run: the",
          "                    same function in process, a bare gRPC echo between two JVMs over a",
          "                    Unix socket (direct and default executors), Python multiprocessing",
          "",
          "  --plugins DIR     the sample plugins (default: samples/target/plugins of this build)",
          "  --python CMD      the Python to compare with (default python3)",
          "  --only NAMES      comma-separated, of: in-process, grpc-direct, grpc-default, python-mp");

  static final List<String> NAMES = List.of("in-process", "grpc-direct", "grpc-default", "python-mp");

  /** The command's options, as parsed. */
  record Options(Path plugins, String python, Set<String> only) {}

  private BaselinesCommand() {}

  /**
   * Parses the arguments after {@code baselines}.
   *
   * @throws IllegalArgumentException naming the bad option, for the usage message
   */
  static Options parse(List<String> args) {
    Path plugins = null;
    String python = "python3";
    Set<String> only = new LinkedHashSet<>(NAMES);
    for (int i = 0; i < args.size(); i++) {
      String option = args.get(i);
      switch (option) {
        case "--plugins" -> plugins = Path.of(value(args, ++i));
        case "--python" -> python = value(args, ++i);
        case "--only" -> {
          only = new LinkedHashSet<>();
          for (String name : value(args, ++i).split(",")) {
            String trimmed = name.strip();
            if (!NAMES.contains(trimmed)) {
              throw new IllegalArgumentException("--only: no baseline '" + trimmed + "'; expected some of " + String.join(", ", NAMES));
            }
            only.add(trimmed);
          }
        }
        default -> throw new IllegalArgumentException("unknown option " + option);
      }
    }
    return new Options(plugins, python, only);
  }

  /**
   * Runs the command; returns the process exit code: 0 when every baseline chosen produced its
   * figures or was unavailable, 1 when one failed, 2 for bad arguments.
   *
   * @param args the arguments after {@code baselines}
   * @param samples where the sample plugins were found, or null; {@code --plugins} overrides it
   */
  public static int run(List<String> args, Path samples, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = parse(args);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage() + "\n\n" + USAGE);
      return 2;
    }
    // Set before the first logger exists: gRPC asks every Unix-socket channel for SO_KEEPALIVE,
    // which does not apply, and Netty warns each time.
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
    Path plugins = options.plugins() != null ? options.plugins().toAbsolutePath() : samples;
    Path squaresJar = plugins == null ? Path.of("samples", "target", "plugins", "squares.jar").toAbsolutePath() : plugins.resolve("squares.jar");
    String classpath = System.getProperty("java.class.path");
    List<Baseline> chosen =
        Baselines.standard(squaresJar, classpath, options.python()).stream()
            .filter(b -> options.only().contains(b.name()))
            .collect(Collectors.toList());
    out.println("plugin-host baselines");
    out.println(Machine.current().describe());
    // The machine may be shared: say how busy it was, so a reader can judge the figures.
    out.println("load average before: " + Machine.loadAverage());
    out.flush();
    long start = System.nanoTime();
    List<BaselineResult> results = Baselines.runAll(chosen, err::println);
    out.println();
    out.print(BaselineTable.format(results));
    out.println("load average after: " + Machine.loadAverage());
    out.printf(Locale.ROOT, "(baselines took %.0f s)%n", Duration.ofNanos(System.nanoTime() - start).toMillis() / 1e3);
    return results.stream().anyMatch(r -> r.status() == BaselineResult.Status.FAILED) ? 1 : 0;
  }

  private static String value(List<String> args, int i) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(args.get(i - 1) + " needs a value");
    }
    return args.get(i);
  }
}
