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
 * <p>A call made after a kill should wait for, or be retried on, the next process. When the host
 * fails it instead, the harness calls again at once, as a caller would, keeps timing from the
 * kill, and counts the failure in the report.
 *
 * <p>Restarts wait 1 ms (unless told otherwise) rather than the default backoff (100 ms, doubling),
 * so what is timed is the host and the JVM, not a delay chosen on purpose; the delay never grows,
 * and the restart intensity is lifted, since every round kills twice. Every process the hosts start is stopped when the run ends, whatever
 * happens; the hosts' files live in a temporary directory that is deleted.
 */
final class RecoveryBenchmark {
  /** What to run. */
  static final class Options {
    int reps = 15;
    int warmup = 2;
    Duration restartDelay = Duration.ofMillis(1);
    Path plugins;
  }

  static final String PLUGIN = "squares";
  static final int CALLS_PER_ROUND = 200;
  static final int WARMUP_CALLS = 5000;
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * A pause after the pool settles: a JVM that has just started keeps compiling for a while, and
   * on two cores that would slow the next step.
   */
  private static final Duration QUIET = Duration.ofMillis(300);

  private final Options options;
  private final PrintStream out;
  /** Every plugin process a host was seen to run, checked to be gone at the end. */
  private final Set<Long> seenPids = ConcurrentHashMap.newKeySet();
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

  RecoveryBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** Runs the benchmark and prints its report; returns the process exit code. */
  int run() throws Exception {
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
        measure(temp, plugins);
      } finally {
        reapSurvivors();
      }
    } finally {
      deleteQuietly(temp);
    }
    report(Duration.ofNanos(System.nanoTime() - began));
    return 0;
  }

  private void measure(Path temp, Path plugins) throws Exception {
    out.printf(
        "plugin-host recovery benchmark: %d rounds after %d warm-up rounds, plugin %s from %s%n",
        options.reps, options.warmup, PLUGIN, options.plugins);
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
        System.err.printf("  warming up the steady process with %d calls%n", WARMUP_CALLS);
        roundTrips(steadyPlugin, WARMUP_CALLS, new Samples("discarded"));
        for (int round = 1; round <= options.warmup + options.reps; round++) {
          boolean counted = round > options.warmup;
          System.err.printf(
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
        PluginSettings.builder()
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
          if (event.pid() > 0) {
            seenPids.add(event.pid());
          }
          event.death().ifPresent(death -> deathSeenAt.putIfAbsent(death.pid(), System.nanoTime()));
        },
        directExecutor());
    return plugin;
  }

  private void round(PluginHandle steadyPlugin, PluginHandle coldPlugin, PluginHandle warmPlugin, boolean counted)
      throws Exception {
    roundTrips(steadyPlugin, CALLS_PER_ROUND, counted ? roundTrip : new Samples("discarded"));

    coldPlugin.disableAsync().get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    awaitNoProcesses(coldPlugin);
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
    ProcessHandle process =
        ProcessHandle.of(victim).orElseThrow(() -> new IllegalStateException("pid " + victim + " is gone already"));
    AtomicLong exitedAt = new AtomicLong();
    process.onExit().thenRun(() -> exitedAt.set(System.nanoTime()));

    long start = System.nanoTime();
    process.destroyForcibly();
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
    if (expectSquare(answer) == victim) {
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

  /** Checks an answer of {@code square("7")} and returns the pid that gave it. */
  private static long expectSquare(String answer) {
    String[] parts = answer.split("@");
    if (parts.length != 2 || !parts[0].equals("49")) {
      throw new IllegalStateException("square(7) answered '" + answer + "'");
    }
    return Long.parseLong(parts[1]);
  }

  /**
   * Waits until the plugin runs with one serving process and {@code spares} spares and nothing
   * else, then a little longer for the newest JVM to quieten.
   *
   * @throws IllegalStateException if the pool settles in another shape, or not in time
   */
  private void settle(PluginHandle plugin, int spares) throws InterruptedException {
    if (!trySettle(plugin, spares)) {
      throw new IllegalStateException(
          PLUGIN + " settled as " + plugin.processes() + ", not 1 serving and " + spares + " spare(s)");
    }
  }

  /**
   * {@link #settle}, but returns false if every process is up and the roles are not 1 serving and
   * {@code spares} spares.
   */
  private boolean trySettle(PluginHandle plugin, int spares) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (true) {
      List<ProcessInfo> processes = plugin.processes();
      processes.forEach(p -> seenPids.add(p.pid()));
      long serving = processes.stream().filter(p -> p.role() == ProcessInfo.Role.SERVING).count();
      long ready = processes.stream().filter(p -> p.role() == ProcessInfo.Role.SPARE).count();
      if (plugin.state() == PluginState.RUNNING
          && serving + ready == processes.size()
          && processes.size() == 1 + spares) {
        if (serving != 1) {
          return false;
        }
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            PLUGIN + " did not settle within " + SETTLE_TIMEOUT.toSeconds() + " s: " + plugin.state() + " "
                + processes + "; last death: " + plugin.lastDeath().map(d -> d.detail()).orElse("none"));
      }
      Thread.sleep(5);
    }
    Thread.sleep(QUIET.toMillis());
    return true;
  }

  /**
   * Works around a race in the host: when a spare becomes ready before the process meant to
   * serve, both end up serving and the pool has no spare (until it is started afresh). Starts the
   * plugin afresh until the roles come out right.
   */
  private void settleWithSpare(PluginHandle plugin) throws Exception {
    for (int attempt = 1; !trySettle(plugin, 1); attempt++) {
      if (attempt == 5) {
        throw new IllegalStateException(PLUGIN + " started " + attempt + " times without a spare: " + plugin.processes());
      }
      System.err.println("  the warm host came up with two serving processes and no spare; starting it afresh");
      plugin.disableAsync().get(SETTLE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      awaitNoProcesses(plugin);
      plugin.enableAsync();
    }
  }

  private void awaitNoProcesses(PluginHandle plugin) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (!plugin.processes().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(PLUGIN + " kept processes after it was disabled: " + plugin.processes());
      }
      Thread.sleep(5);
    }
    Thread.sleep(QUIET.toMillis());
  }

  /** After the hosts closed: kills, and names, any plugin process that outlived them. */
  private void reapSurvivors() {
    List<Long> survivors = new ArrayList<>();
    for (long pid : seenPids) {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty()) {
        continue;
      }
      try {
        process.get().onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception stillAlive) {
        process.get().descendants().forEach(ProcessHandle::destroyForcibly);
        process.get().destroyForcibly();
        survivors.add(pid);
      }
    }
    if (!survivors.isEmpty()) {
      System.err.println("plugin processes outlived their host and were killed: " + survivors);
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
