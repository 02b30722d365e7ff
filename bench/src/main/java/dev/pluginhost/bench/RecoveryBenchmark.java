package dev.pluginhost.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How long a plugin takes to serve again after its process is killed with SIGKILL, cold (a new
 * JVM must start) and with a warm spare, against two baselines measured in the same run: a cold
 * start of the same plugin, and the round trip of one call to a serving process.
 *
 * <p>Three hosts run side by side, each with the {@code squares} sample as one process: a steady
 * one that is never disturbed (for round trips), one without spares and one with a warm spare.
 * Each round measures, in this order, with every pool settled and quiet before each step:
 *
 * <ol>
 *   <li><b>round trip</b>: {@value #CALLS_PER_ROUND} calls of {@code square("7")}, one at a time,
 *       on the steady host's process, which was warmed up with {@value #WARMUP_CALLS} calls;
 *   <li><b>cold start</b>: {@code enableAsync()} of the disabled plugin, then a call made at once,
 *       which waits in the queue; timed to its answer;
 *   <li><b>cold recovery</b>: SIGKILL of the serving process, then a call made at once; timed
 *       from the kill to the answer, which must come from another process;
 *   <li><b>warm-spare recovery</b>: the same on the host with a spare.
 * </ol>
 *
 * <p>A kill is a SIGKILL of the serving process's whole tree (in the sandbox, bubblewrap and the
 * JVM below it) at once. A call made after a kill should wait for, or be retried on, the next process. When the host
 * fails it instead, the harness calls again at once, as a caller would, keeps timing from the
 * kill, and counts the failure in the report.
 *
 * <p>Restarts wait 1 ms (unless told otherwise) rather than the default backoff (100 ms, doubling),
 * so what is timed is the host and the JVM, not a delay chosen on purpose; the delay never grows,
 * and the restart intensity is lifted, since every round kills twice. Every process the hosts start is stopped when the run ends, whatever
 * happens; the hosts' files live in a temporary directory that is deleted.
 */
public final class RecoveryBenchmark {
  /** What to run. */
  public static final class Options {
    /** Measured rounds. */
    public int reps = 15;
    /** Rounds run first and thrown away. */
    public int warmup = 2;
    /** How long a host waits before replacing a dead process; it never grows. */
    public Duration restartDelay = Duration.ofMillis(1);
    /** The folder holding the sample plugins' jars ({@code squares.jar}). */
    public Path plugins;
  }

  /**
   * What a run measured, in nanoseconds (the ratios are plain numbers).
   *
   * @param roundTrip one call to a warm process, {@value #CALLS_PER_ROUND} a round
   * @param coldStart enable of the disabled plugin to the first answer
   * @param coldRecovery SIGKILL of the only process to the next answer
   * @param coldExit SIGKILL to this JVM seeing the process exit, cold
   * @param coldDeath SIGKILL to the host reporting the death, cold
   * @param coldRest the host reporting the death to the answer, cold
   * @param warmRecovery SIGKILL of the serving process to the next answer, with a warm spare
   * @param warmExit as coldExit, with a spare
   * @param warmDeath as coldDeath, with a spare
   * @param warmRest as coldRest, with a spare
   * @param warmOverCold warm-spare recovery over cold recovery, per round
   * @param coldOverStart cold recovery over cold start, per round
   * @param failuresAfterKill calls that failed after a kill instead of waiting, by error
   * @param took how long the run took
   */
  public record Result(
      Samples roundTrip,
      Samples coldStart,
      Samples coldRecovery,
      Samples coldExit,
      Samples coldDeath,
      Samples coldRest,
      Samples warmRecovery,
      Samples warmExit,
      Samples warmDeath,
      Samples warmRest,
      Samples warmOverCold,
      Samples coldOverStart,
      Map<String, Integer> failuresAfterKill,
      Duration took) {}

  static final String PLUGIN = "squares";
  static final int CALLS_PER_ROUND = 200;
  static final int WARMUP_CALLS = 5000;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SETTLE_TIMEOUT = PluginWaits.SETTLE_TIMEOUT;
  private static final Duration QUIET = PluginWaits.QUIET;

  private final Options options;
  private final PrintStream out;
  private final PrintStream progress;
  /** Every plugin process a host was seen to run, checked to be gone at the end. */
  private final ProcessLedger ledger = new ProcessLedger();
  /** When each dead process's death reached the plugin's listeners, by pid (System.nanoTime). */
  private final Map<Long, Long> deathSeenAt = new ConcurrentHashMap<>();
  /** Calls that failed after a kill instead of waiting for the next process, by error. */
  private final Map<String, Integer> failuresAfterKill = new TreeMap<>();

  private final Samples roundTrip = new Samples("round trip (one call, warm process)");
  private final Samples coldStart = new Samples("cold start (enable to first answer)");
  private final Samples coldRecovery = new Samples("cold recovery (SIGKILL to answer)");
  private final Samples coldExit = new Samples("  SIGKILL to exit seen by this JVM");
  private final Samples coldDeath = new Samples("  SIGKILL to death seen by the host");
  private final Samples coldRest = new Samples("  death seen by the host to answer");
  private final Samples warmRecovery = new Samples("warm-spare recovery (SIGKILL to answer)");
  private final Samples warmExit = new Samples("  SIGKILL to exit seen by this JVM");
  private final Samples warmDeath = new Samples("  SIGKILL to death seen by the host");
  private final Samples warmRest = new Samples("  death seen by the host to answer");
  /** Per round, so the spread of a ratio shows as well as the ratio of medians. */
  private final Samples warmOverCold = new Samples("warm-spare recovery / cold recovery");
  private final Samples coldOverStart = new Samples("cold recovery / cold start");

  /**
   * A benchmark that prints its report on {@code out} and its progress on {@code progress}. One
   * run per instance.
   */
  public RecoveryBenchmark(Options options, PrintStream out, PrintStream progress) {
    this.options = options;
    this.out = out;
    this.progress = progress;
  }

  /** Runs the benchmark and prints its report; returns the process exit code. */
  public int run() throws Exception {
    out.printf(
        "plugin-host recovery benchmark: %d rounds after %d warm-up rounds, plugin %s from %s%n",
        options.reps, options.warmup, PLUGIN, options.plugins);
    Result result = measure();
    report(result.took());
    return 0;
  }

  /**
   * Runs the rounds and returns what they measured, printing only progress. Every plugin process
   * started is gone when this returns or throws.
   */
  public Result measure() throws Exception {
    Path squaresJar = options.plugins.resolve(PLUGIN + ".jar");
    if (!Files.isRegularFile(squaresJar)) {
      throw new IllegalStateException("no " + squaresJar + "; build the samples first");
    }
    long began = System.nanoTime();
    Path temp = Files.createTempDirectory("pluginhost-bench-");
    try {
      Path plugins = Files.createDirectories(temp.resolve("plugins"));
      Files.copy(squaresJar, plugins.resolve(squaresJar.getFileName()));
      try {
        rounds(temp, plugins);
      } finally {
        ledger.reapSurvivors(System.err);
      }
    } finally {
      deleteQuietly(temp);
    }
    return new Result(
        roundTrip,
        coldStart,
        coldRecovery,
        coldExit,
        coldDeath,
        coldRest,
        warmRecovery,
        warmExit,
        warmDeath,
        warmRest,
        warmOverCold,
        coldOverStart,
        Map.copyOf(failuresAfterKill),
        Duration.ofNanos(System.nanoTime() - began));
  }

  private void rounds(Path temp, Path plugins) throws Exception {
    try (PluginHost steady = host(temp, plugins, "steady", 0);
        PluginHost cold = host(temp, plugins, "cold", 0);
        PluginHost warm = host(temp, plugins, "warm", 1)) {
      // Ctrl-C: stop the plugins too. (They would exit anyway once this JVM is gone, since stdin
      // is their lifeline, but a stop is quicker and tidier.)
      Thread hook = new Thread(() -> List.of(warm, cold, steady).forEach(PluginHost::close), "bench-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        for (PluginHost host : List.of(steady, cold, warm)) {
          host.startAsync().awaitRunning(Duration.ofMinutes(2));
        }
        PluginHandle steadyPlugin = watch(steady.plugin(PLUGIN));
        PluginHandle coldPlugin = watch(cold.plugin(PLUGIN));
        PluginHandle warmPlugin = watch(warm.plugin(PLUGIN));
        settle(steadyPlugin, 0);
        settle(coldPlugin, 0);
        settleWithSpare(warmPlugin);
        progress.printf("  warming up the steady process with %d calls%n", WARMUP_CALLS);
        roundTrips(steadyPlugin, WARMUP_CALLS, new Samples("discarded"));
        for (int round = 1; round <= options.warmup + options.reps; round++) {
          boolean counted = round > options.warmup;
          progress.printf(
              "  %s %d of %d%n",
              counted ? "round" : "warm-up round",
              counted ? round - options.warmup : round,
              counted ? options.reps : options.warmup);
          round(steadyPlugin, coldPlugin, warmPlugin, counted);
        }
      } finally {
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // The hook is running already.
        }
      }
    }
  }

  private PluginHost host(Path temp, Path plugins, String name, int spares) {
    PluginSettings settings =
        BenchSettings.builder()
            .processes(1)
            .warmSpares(spares)
            .restartBackoff(options.restartDelay, options.restartDelay)
            .restartBackoffShape(1.0, 0.0)
            .restartIntensity(10_000, Duration.ofMinutes(1))
            .build();
    return PluginHost.builder()
        .pluginsDirectory(plugins)
        .workDirectory(temp.resolve("work-" + name))
        .cacheDirectory(temp.resolve("runner-cache"))
        .defaults(settings)
        .build();
  }

  private PluginHandle watch(PluginHandle plugin) {
    plugin.addListener(
        event -> {
          ledger.add(event.pid());
          event.death().ifPresent(death -> deathSeenAt.putIfAbsent(death.pid(), System.nanoTime()));
        },
        directExecutor());
    return plugin;
  }

  private void round(PluginHandle steadyPlugin, PluginHandle coldPlugin, PluginHandle warmPlugin, boolean counted)
      throws Exception {
    roundTrips(steadyPlugin, CALLS_PER_ROUND, counted ? roundTrip : new Samples("discarded"));

    coldPlugin.disableAsync().get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    PluginWaits.awaitNoProcesses(coldPlugin, QUIET);
    long start = System.nanoTime();
    coldPlugin.enableAsync();
    expectSquare(coldPlugin.callText("square", "7", CALL_TIMEOUT));
    long started = System.nanoTime() - start;
    settle(coldPlugin, 0);

    Recovery cold = killAndCall(coldPlugin, "cold", counted);
    settle(coldPlugin, 0);
    Recovery warm = killAndCall(warmPlugin, "warm-spare", counted);
    settle(warmPlugin, 1);

    if (counted) {
      coldStart.add(started);
      coldRecovery.add(cold.answered);
      coldExit.add(cold.exited);
      coldDeath.add(cold.deathSeen);
      coldRest.add(cold.answered - cold.deathSeen);
      warmRecovery.add(warm.answered);
      warmExit.add(warm.exited);
      warmDeath.add(warm.deathSeen);
      warmRest.add(warm.answered - warm.deathSeen);
      warmOverCold.add((double) warm.answered / cold.answered);
      coldOverStart.add((double) cold.answered / started);
    }
  }

  private static void roundTrips(PluginHandle plugin, int calls, Samples into) {
    for (int i = 0; i < calls; i++) {
      long start = System.nanoTime();
      String answer = plugin.callText("square", "7", CALL_TIMEOUT);
      into.add(System.nanoTime() - start);
      expectSquare(answer);
    }
  }

  /** Nanoseconds from the kill to: the answer, the process's exit, the host's death event. */
  private record Recovery(long answered, long exited, long deathSeen) {}

  /** SIGKILLs the serving process and at once calls the plugin, until it answers. */
  private Recovery killAndCall(PluginHandle plugin, String kind, boolean counted) throws InterruptedException {
    long victim = plugin.pid().orElseThrow(() -> new IllegalStateException(PLUGIN + " has no serving process"));
    // Which process answers now; the host's pid of it is not in the answer inside the sandbox.
    String victimSource = PluginWaits.squareOfSevenSource(plugin.callText("square", "7", CALL_TIMEOUT));
    ProcessHandle process =
        ProcessHandle.of(victim).orElseThrow(() -> new IllegalStateException("pid " + victim + " is gone already"));
    AtomicLong exitedAt = new AtomicLong();
    process.onExit().thenRun(() -> exitedAt.set(System.nanoTime()));

    // In the sandbox the host's pid is bubblewrap's, and the JVM below it dies only when bubblewrap
    // has (its parent-death signal), a few ms later, and can answer a call meanwhile. Kill the JVM
    // as a crash would: the whole tree, the JVM included, at once.
    List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
    tree.add(process);
    long start = System.nanoTime();
    tree.forEach(ProcessHandle::destroyForcibly);
    String answer = null;
    while (answer == null) {
      try {
        answer = plugin.callText("square", "7", CALL_TIMEOUT);
      } catch (PluginCallException e) {
        if (System.nanoTime() - start > CALL_TIMEOUT.toNanos()) {
          throw e;
        }
        if (counted) {
          String what = kind + " recovery: " + e.getMessage().replaceAll("\\d+", "N");
          failuresAfterKill.merge(what.length() > 150 ? what.substring(0, 150) + "..." : what, 1, Integer::sum);
        }
      }
    }
    long answered = System.nanoTime();
    if (PluginWaits.squareOfSevenSource(answer).equals(victimSource)) {
      throw new IllegalStateException("pid " + victim + " answered after it was killed: " + answer);
    }
    // The death's event and the call's answer travel separately; the event may come second.
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (!deathSeenAt.containsKey(victim) || exitedAt.get() == 0) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the death of pid " + victim + " was never reported");
      }
      Thread.sleep(1);
    }
    return new Recovery(answered - start, exitedAt.get() - start, deathSeenAt.get(victim) - start);
  }

  private static void expectSquare(String answer) {
    PluginWaits.squareOfSevenSource(answer);
  }

  /**
   * Waits until the plugin runs with one serving process and {@code spares} spares and nothing
   * else, then a little longer for the newest JVM to quieten.
   */
  private void settle(PluginHandle plugin, int spares) throws InterruptedException {
    PluginWaits.settle(plugin, 1, spares, ledger, QUIET);
  }

  /**
   * Starts the plugin afresh until it comes up with one serving process and one spare. The host
   * once let a spare that was ready first serve beside the server, leaving no spare; that is fixed,
   * but the check stays.
   */
  private void settleWithSpare(PluginHandle plugin) throws Exception {
    for (int attempt = 1; !PluginWaits.trySettle(plugin, 1, 1, ledger, QUIET); attempt++) {
      if (attempt == 5) {
        throw new IllegalStateException(PLUGIN + " started " + attempt + " times without a spare: " + plugin.processes());
      }
      progress.println("  the warm host came up with two serving processes and no spare; starting it afresh");
      plugin.disableAsync().get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      PluginWaits.awaitNoProcesses(plugin, QUIET);
      plugin.enableAsync();
    }
  }

  private void report(Duration took) {
    out.println();
    out.printf(
        "machine: %d cores; %s %s; %s %s %s%n",
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name"),
        System.getProperty("java.runtime.version"),
        System.getProperty("os.name"),
        System.getProperty("os.version"),
        System.getProperty("os.arch"));
    out.printf(
        "run: %s, %d rounds (+%d warm-up), %d round trips a round, restart delay %d ms, took %d s%n",
        Instant.now().truncatedTo(ChronoUnit.SECONDS),
        options.reps,
        options.warmup,
        CALLS_PER_ROUND,
        options.restartDelay.toMillis(),
        took.toSeconds());
    out.println();
    out.println(header("ms"));
    for (Samples s : List.of(
        roundTrip, coldStart, coldRecovery, coldExit, coldDeath, coldRest, warmRecovery, warmExit, warmDeath, warmRest)) {
      out.println(row(s, 1e-6, "%9.2f"));
    }
    out.println();
    out.println(header("ratios, per round"));
    for (Samples s : List.of(warmOverCold, coldOverStart)) {
      out.println(row(s, 1, "%9.3f"));
    }
    out.println();
    out.println("ratios of medians");
    ratio("warm-spare recovery / cold recovery", warmRecovery, coldRecovery);
    ratio("cold recovery / cold start", coldRecovery, coldStart);
    ratio("warm-spare recovery / round trip", warmRecovery, roundTrip);
    out.println();
    if (failuresAfterKill.isEmpty()) {
      out.println("calls failed after a kill (the harness called again): none");
    } else {
      out.println("calls failed after a kill (the harness called again):");
      failuresAfterKill.forEach((error, count) -> out.printf("  %3d x %s%n", count, error));
    }
  }

  private static String header(String title) {
    return String.format(Locale.ROOT, "%-42s %6s %9s %9s %9s %9s %9s", title, "n", "median", "p10", "p90", "min", "max");
  }

  private static String row(Samples s, double scale, String cell) {
    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-42s %6d", s.name(), s.count()));
    for (double value : new double[] {s.median(), s.percentile(10), s.percentile(90), s.min(), s.max()}) {
      line.append(' ').append(String.format(Locale.ROOT, cell, value * scale));
    }
    return line.toString();
  }

  private void ratio(String name, Samples a, Samples b) {
    double r = a.median() / b.median();
    out.println(String.format(Locale.ROOT, r < 10 ? "  %-40s %9.3f" : "  %-40s %9.1f", name, r));
  }

  private static void deleteQuietly(Path directory) {
    try {
      MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      System.err.println("could not delete " + directory + ": " + e);
    }
  }
}
