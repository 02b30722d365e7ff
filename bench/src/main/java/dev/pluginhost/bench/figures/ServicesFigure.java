package dev.pluginhost.bench.figures;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.bench.baseline.Machine;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.Registration;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * The host services a plugin calls back for, each against the direct call {@code squares.square}
 * from the host measured in the same run: a call to another plugin through the host (the {@code
 * fanout} sample's {@code squareOf}: host, fanout, host, squares), the key-value store (the {@code
 * ledger} sample's {@code visits}, one get, and {@code visit}, a get and a compareAndSet), a named
 * lock ({@code critical "0"}: acquire, compareAndSet, delete, release), uncontended and with
 * {@value #LOCK_CALLERS} callers on a pool of {@value #LEDGER_PROCESSES}, the structured log
 * ({@code note}: records per second, and how many the log dropped beyond its rate), and a service
 * of the application ({@code quote}, answered by a trivial in-process service). Round trips are
 * one caller, one call at a time, every function in turn for a slice of time, round after round,
 * so that all see the same machine and the slow ones still give hundreds of values.
 */
public final class ServicesFigure implements Figure {
  static final int LEDGER_PROCESSES = 2;
  static final int LOCK_CALLERS = 8;
  static final int LOG_CALLERS = 8;
  /** Below the host's 200 records a second per process even if every record went to one process. */
  static final int LOG_PACED_PER_SECOND = 100;
  static final String QUOTE = "1.25";
  static final String LOG_MARKER = "bench-note";
  /** How long each function is called for before the next one's turn. */
  private static final Duration SLICE = Duration.ofMillis(150);
  /** Warm-up calls of each function before the next one's turn. */
  private static final int WARMUP_BLOCK = 250;
  /** Rows of CPU time and context switches per call, of this JVM and every process under it. */
  static final String CPU_PER_CALL = "cpu ms/call: ";
  static final String SWITCHES_PER_CALL = "switches/call: ";
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);

  // What each round trip is called in the ratios; its row adds the plugin's function.
  static final String DIRECT = "direct";
  static final String DIRECT_ON_THREAD = "direct, call thread";
  static final String NESTED = "nested";
  static final String KV_GET = "kv get";
  static final String KV_CAS = "kv get+CAS";
  static final String LOCK = "lock";
  static final String SERVICE = "app service";
  // The rows of the round trips, in ms; the comparison table reads them by these names.
  public static final String ROW_DIRECT = "direct: squares.square";
  public static final String ROW_DIRECT_ON_THREAD = "direct: squares.squareOnThread";
  public static final String ROW_NESTED = "nested: fanout.squareOf -> squares.square";
  public static final String ROW_KV_GET = "kv get: ledger.visits";
  public static final String ROW_KV_CAS = "kv get+CAS: ledger.visit";
  public static final String ROW_LOCK = "lock: ledger.critical \"0\", uncontended";
  public static final String ROW_SERVICE = "app service: ledger.quote";
  /** Critical sections per second with {@value #LOCK_CALLERS} callers, one value a window. */
  public static final String ROW_LOCK_RATE = "lock: critical sections/s, " + LOCK_CALLERS + " callers";
  /** Structured log records the host kept per second per process while flooded. */
  public static final String ROW_LOG_KEPT_PER_PROCESS = "log, " + LOG_CALLERS + " callers: kept/s, per process";
  /** Records dropped while paced below the log's rate. */
  public static final String ROW_LOG_PACED_DROPPED = "log, paced " + LOG_PACED_PER_SECOND + "/s: dropped";

  @Override
  public String id() {
    return "services";
  }

  @Override
  public String title() {
    return "host services from a plugin (nested call, kv, lock, log, app service) against a direct call";
  }

  /** One function timed for its round trip: which plugin, what to send, and how to check the answer. */
  private record Probe(
      String label, String row, int warmupCalls, PluginHandle plugin, String function, String input,
      Consumer<String> check) {}

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    // Counted, not timed: a function's path through three JVMs needs about a thousand calls to be
    // compiled (the first 250 nested calls had a median of 10.6 ms, the fifth 250 of 0.8 ms), however
    // slow each call is on a busy machine.
    int warmup = context.pick(1_000, 300);
    int lockWarmup = context.pick(250, 100);
    int rounds = context.pick(8, 3);
    Duration lockRateWarmup = Duration.ofMillis(context.pick(500, 300));
    Duration lockWindow = Duration.ofMillis(context.pick(1000, 300));
    int lockWindows = context.pick(4, 2);
    Duration logWarmup = Duration.ofMillis(context.pick(1000, 500));
    Duration logWindow = Duration.ofMillis(context.pick(2000, 1000));

    String loadBefore = Machine.loadAverage();
    long began = System.nanoTime();
    List<Measure> measures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Map<String, Double> cpuPerCall = new LinkedHashMap<>();
    Map<String, Samples> trips = new LinkedHashMap<>();
    Samples sections = new Samples(ROW_LOCK_RATE);
    ExecutorService watcher =
        Executors.newSingleThreadExecutor(new ThreadFactoryBuilder().setNameFormat("services-log-watch").setDaemon(true).build());
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "squares", "fanout", "ledger"))
            .defaults(BenchSettings.builder().processes(1).build())
            .plugin("fanout", s -> s.grant(Grants.call("squares")))
            .plugin(
                "ledger",
                s -> s.processes(LEDGER_PROCESSES).grant(Grants.KV, Grants.LOCKS, Grants.LOG, Grants.service("pricing")))
            .service("pricing", request -> QUOTE.getBytes(StandardCharsets.UTF_8))
            .build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle squares = context.watch(host.plugin("squares"));
      PluginHandle fanout = context.watch(host.plugin("fanout"));
      PluginHandle ledger = context.watch(host.plugin("ledger"));
      PluginWaits.settle(squares, 1, 0, context.ledger(), Duration.ZERO);
      PluginWaits.settle(fanout, 1, 0, context.ledger(), Duration.ZERO);
      PluginWaits.settle(ledger, LEDGER_PROCESSES, 0, context.ledger(), PluginWaits.QUIET);
      context.progress().printf("  %.1f s: squares, fanout and ledger (%d processes) serving%n", seconds(began), LEDGER_PROCESSES);

      List<Probe> probes = List.of(
          new Probe(DIRECT, ROW_DIRECT, warmup, squares, "square", "7", PluginWaits::squareOfSevenSource),
          new Probe(DIRECT_ON_THREAD, ROW_DIRECT_ON_THREAD, warmup, squares, "squareOnThread", "7",
              PluginWaits::squareOfSevenSource),
          new Probe(NESTED, ROW_NESTED, warmup, fanout, "squareOf", "7",
              answer -> expect(answer.equals("49"), NESTED, answer)),
          new Probe(KV_GET, ROW_KV_GET, warmup, ledger, "visits", "bench", Long::parseLong),
          new Probe(KV_CAS, ROW_KV_CAS, warmup, ledger, "visit", "bench", Long::parseLong),
          new Probe(LOCK, ROW_LOCK, lockWarmup, ledger, "critical", "0",
              answer -> expect(answer.startsWith("alone@"), LOCK, answer)),
          new Probe(SERVICE, ROW_SERVICE, warmup, ledger, "quote", "apples",
              answer -> expect(answer.equals(QUOTE), SERVICE, answer)));
      context.progress().printf(
          "  %.1f s: round trips: %d warm-up calls of each function (%d of critical), then %d rounds of %d ms each%n",
          seconds(began), warmup, lockWarmup, rounds, SLICE.toMillis());
      Map<String, Samples> rows = new LinkedHashMap<>();
      Map<String, ProcessCost.Snapshot> costs = new LinkedHashMap<>();
      for (Probe probe : probes) {
        rows.put(probe.label(), new Samples(probe.row()));
        costs.put(probe.label(), new ProcessCost.Snapshot(0, 0));
      }
      for (int done = 0; done < warmup; done += WARMUP_BLOCK) {
        for (Probe probe : probes) {
          int calls = Math.min(WARMUP_BLOCK, probe.warmupCalls() - done);
          if (calls > 0) {
            roundTrips(probe, calls);
          }
        }
      }
      context.progress().printf("  %.1f s: warmed up%n", seconds(began));
      for (int round = 0; round < rounds; round++) {
        for (Probe probe : probes) {
          ProcessCost.Snapshot before = ProcessCost.now();
          roundTrips(probe, SLICE, rows.get(probe.label()));
          costs.merge(probe.label(), ProcessCost.now().minus(before), ProcessCost.Snapshot::plus);
        }
      }
      rows.values().forEach(s -> measures.add(new Measure(s, "ms")));
      trips.putAll(rows);
      costs.forEach((label, cost) -> {
        cpuPerCall.put(label, cost.cpuMs() / rows.get(label).count());
        measures.add(Measure.single(CPU_PER_CALL + label, cpuPerCall.get(label), "ms"));
      });
      costs.forEach((label, cost) -> {
        int calls = rows.get(label).count();
        measures.add(Measure.single(SWITCHES_PER_CALL + label, cost.switches() / (double) calls, "switches"));
      });

      context.progress().printf(
          "  %.1f s: lock: %d callers on critical \"0\", %d ms warm-up, %d windows of %d ms%n",
          seconds(began), LOCK_CALLERS, lockRateWarmup.toMillis(), lockWindows, lockWindow.toMillis());
      Map<String, Integer> failures = new ConcurrentHashMap<>();
      AtomicLong overlaps = new AtomicLong();
      Consumer<String> alone = answer -> {
        if (!answer.startsWith("alone@")) {
          overlaps.incrementAndGet();
        }
      };
      keepInFlight(ledger, "critical", i -> "0", LOCK_CALLERS, lockRateWarmup, alone, failures);
      for (int i = 0; i < lockWindows; i++) {
        sections.add(keepInFlight(ledger, "critical", n -> "0", LOCK_CALLERS, lockWindow, alone, failures).perSecond());
      }
      measures.add(new Measure(sections, "sections/s"));
      if (overlaps.get() > 0) {
        notes.add(overlaps.get() + " critical sections found another process inside: the lock did not exclude");
      }

      context.progress().printf(
          "  %.1f s: log: %d callers on note for %d + %d ms, then one caller at %d records/s for %d ms%n",
          seconds(began), LOG_CALLERS, logWarmup.toMillis(), logWindow.toMillis(), LOG_PACED_PER_SECOND, logWindow.toMillis());
      LogTally tally = new LogTally(LOG_MARKER);
      Registration watching = ledger.watchOutput(tally, watcher);
      try {
        Consumer<String> logged = answer -> expect(answer.equals("logged"), "note", answer);
        IntFunction<String> note = i -> LOG_MARKER + "|i=" + i;
        // The log's rate allows a burst of a second's worth after a quiet spell: the first second
        // of the flood spends it, and the window after shows the steady rate.
        LogTally.Counts before = tally.counts();
        Window burst = keepInFlight(ledger, "note", note, LOG_CALLERS, logWarmup, logged, failures);
        LogTally.Counts windowStart = tally.counts();
        Window flood = keepInFlight(ledger, "note", note, LOG_CALLERS, logWindow, logged, failures);
        LogTally.Counts inWindow = tally.counts().minus(windowStart);
        LogTally.Counts flooded = awaitQuiet(tally).minus(before);
        String floodName = "log, " + LOG_CALLERS + " callers: ";
        measures.add(Measure.single(floodName + "notes answered/s", flood.perSecond(), "calls/s"));
        measures.add(Measure.single(floodName + "kept/s, the pool", inWindow.kept() / flood.seconds(), "records/s"));
        measures.add(Measure.single(
            ROW_LOG_KEPT_PER_PROCESS, inWindow.kept() / flood.seconds() / LEDGER_PROCESSES, "records/s"));
        measures.add(Measure.single(
            floodName + "dropped in " + logWarmup.plus(logWindow).toSeconds() + " s", flooded.dropped(), "records"));
        measures.add(Measure.single(
            floodName + "(kept+dropped)/answered",
            (flooded.kept() + flooded.dropped() + flooded.missedByWatcher()) / (double) (burst.succeeded() + flood.succeeded()),
            "x"));

        before = tally.counts();
        Window paced = paced(ledger, "note", note, LOG_PACED_PER_SECOND, logWindow, logged, failures);
        LogTally.Counts steady = awaitQuiet(tally).minus(before);
        String pacedName = "log, paced " + LOG_PACED_PER_SECOND + "/s: ";
        measures.add(Measure.single(pacedName + "kept/s", steady.kept() / paced.seconds(), "records/s"));
        measures.add(Measure.single(ROW_LOG_PACED_DROPPED, steady.dropped(), "records"));
        long missed = flooded.missedByWatcher() + steady.missedByWatcher();
        if (missed > 0) {
          notes.add("the figure's own output watcher fell behind and missed " + missed
              + " lines the log kept: records kept/s is low by as many");
        }
        if (steady.kept() + steady.dropped() + steady.missedByWatcher() != paced.succeeded()) {
          notes.add("paced log: " + paced.succeeded() + " note calls answered, but " + steady.kept() + " kept + "
              + steady.dropped() + " dropped + " + steady.missedByWatcher() + " missed by the watcher");
        }
      } finally {
        watching.close();
      }
      failures.forEach((error, count) -> notes.add(count + " calls failed: " + error));
    } finally {
      watcher.shutdownNow();
    }

    measures.addAll(ratios(trips, List.of(DIRECT_ON_THREAD, NESTED, KV_GET, KV_CAS, LOCK, SERVICE), 50));
    measures.addAll(ratios(trips, List.of(NESTED), 99));
    measures.add(Measure.single("cpu ratio: " + NESTED + " / " + DIRECT, cpuPerCall.get(NESTED) / cpuPerCall.get(DIRECT), "x"));
    measures.add(Measure.single(
        "lock: " + LOCK_CALLERS + " callers / 1 (1 / uncontended p50)", sections.median() * trips.get(LOCK).median() / 1000, "x"));

    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugins", "squares processes(1); fanout processes(1), grant call:squares; ledger processes("
        + LEDGER_PROCESSES + "), grants kv, locks, log, service:pricing; host defaults otherwise");
    used.put("service", "pricing: a lambda answering \"" + QUOTE + "\" in the host's JVM");
    used.put("round trips", "callText(F, input), one at a time; " + warmup + " warm-up calls of each F ("
        + lockWarmup + " of critical) in turns of " + WARMUP_BLOCK + ", then every F in turn for " + SLICE.toMillis()
        + " ms, " + rounds + " rounds");
    used.put("cost per call", "CPU time and context switches of this JVM and every process under it, from /proc,"
        + " over each F's measured turns, divided by its calls");
    used.put("lock", LOCK_CALLERS + " critical \"0\" in flight, " + lockWindows + " windows of " + lockWindow.toMillis()
        + " ms after " + lockRateWarmup.toMillis() + " ms");
    used.put("log", "note \"" + LOG_MARKER + "|i=N\" with " + LOG_CALLERS + " in flight for " + logWarmup.toMillis()
        + " ms (the log's burst allowance), then " + logWindow.toMillis() + " ms measured; then one caller paced at "
        + LOG_PACED_PER_SECOND + "/s for " + logWindow.toMillis() + " ms; records counted in the plugin's output log");
    used.put("kv store", "the host's file, in its work directory (a temporary directory)");
    notes.add("ratios are of this run's values: a percentile over the same percentile of squares.square");
    notes.add("load average before: " + loadBefore + "; after: " + Machine.loadAverage());
    return new FigureResult(id(), title(), measures, used, notes);
  }

  /**
   * For each of {@code labels}, a row of one value, its {@code percentile}th over that of {@link
   * #DIRECT}, in "x", named by {@link #ratioName}.
   *
   * @param trips the round trips by label, {@link #DIRECT} among them
   * @throws IllegalArgumentException if a label, or {@link #DIRECT}, has no round trips
   */
  static List<Measure> ratios(Map<String, Samples> trips, List<String> labels, int percentile) {
    Samples direct = trips.get(DIRECT);
    checkArgument(direct != null && direct.count() > 0, "no round trips of %s", DIRECT);
    List<Measure> rows = new ArrayList<>();
    for (String label : labels) {
      Samples ours = trips.get(label);
      checkArgument(ours != null && ours.count() > 0, "no round trips of %s", label);
      rows.add(Measure.single(ratioName(label, percentile), ours.percentile(percentile) / direct.percentile(percentile), "x"));
    }
    return rows;
  }

  /** The name of the row of {@link #ratios} for {@code label}: "p50 ratio: nested / direct". */
  static String ratioName(String label, int percentile) {
    return "p" + percentile + " ratio: " + label + " / " + DIRECT;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static void expect(boolean ok, String what, String answer) {
    if (!ok) {
      throw new IllegalStateException(what + " answered '" + answer + "'");
    }
  }

  /** Calls the probe {@code calls} times, one after another, checking the answers. */
  private static void roundTrips(Probe probe, int calls) {
    for (int i = 0; i < calls; i++) {
      probe.check().accept(probe.plugin().callText(probe.function(), probe.input(), CALL_TIMEOUT));
    }
  }

  /** Calls the probe one call after another for {@code slice}, adding each one's round trip in ms. */
  private static void roundTrips(Probe probe, Duration slice, Samples into) {
    long end = System.nanoTime() + slice.toNanos();
    while (System.nanoTime() < end) {
      long start = System.nanoTime();
      String answer = probe.plugin().callText(probe.function(), probe.input(), CALL_TIMEOUT);
      into.add((System.nanoTime() - start) / 1e6);
      probe.check().accept(answer);
    }
  }

  /** Calls that succeeded in a window and how long it took, to the last answer. */
  record Window(long succeeded, double seconds) {
    double perSecond() {
      return succeeded / seconds;
    }
  }

  /**
   * Keeps {@code inFlight} calls of {@code function} going for {@code window} (the i-th call's input
   * is {@code input.apply(i)}), then waits for the last. Answers go to {@code check} (on the thread
   * that completes the call); failed calls and answers {@code check} refuses are counted by message
   * into {@code failures}.
   */
  private static Window keepInFlight(
      PluginHandle plugin, String function, IntFunction<String> input, int inFlight, Duration window,
      Consumer<String> check, Map<String, Integer> failures) throws InterruptedException {
    Semaphore slots = new Semaphore(inFlight);
    AtomicLong succeeded = new AtomicLong();
    long start = System.nanoTime();
    long end = start + window.toNanos();
    for (int i = 0; System.nanoTime() < end; i++) {
      slots.acquire();
      ListenableFuture<byte[]> call =
          plugin.callAsync(function, input.apply(i).getBytes(StandardCharsets.UTF_8), CALL_TIMEOUT);
      call.addListener(() -> {
        try {
          check.accept(new String(Futures.getDone(call), StandardCharsets.UTF_8));
          succeeded.incrementAndGet();
        } catch (Exception e) {
          Throwable why = e.getCause() != null ? e.getCause() : e;
          failures.merge(function + ": " + String.valueOf(why.getMessage()).replaceAll("\\d+", "N"), 1, Integer::sum);
        } finally {
          slots.release();
        }
      }, directExecutor());
    }
    slots.acquire(inFlight);
    return new Window(succeeded.get(), (System.nanoTime() - start) / 1e9);
  }

  /** One caller, one call at a time, a call every 1/{@code perSecond} s for {@code window}. */
  private static Window paced(
      PluginHandle plugin, String function, IntFunction<String> input, int perSecond, Duration window,
      Consumer<String> check, Map<String, Integer> failures) throws InterruptedException {
    long start = System.nanoTime();
    long every = TimeUnit.SECONDS.toNanos(1) / perSecond;
    long count = window.toNanos() / every;
    long succeeded = 0;
    for (int i = 0; i < count; i++) {
      long due = start + i * every;
      long wait = due - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      try {
        check.accept(plugin.callText(function, input.apply(i), CALL_TIMEOUT));
        succeeded++;
      } catch (RuntimeException e) {
        failures.merge(function + ": " + String.valueOf(e.getMessage()).replaceAll("\\d+", "N"), 1, Integer::sum);
      }
    }
    return new Window(succeeded, (System.nanoTime() - start) / 1e9);
  }

  /**
   * Waits until the tally has seen nothing new for 500 ms (records reach the host from the runner's
   * sender thread after the calls that made them have answered), at most 10 s, and returns its counts.
   */
  private static LogTally.Counts awaitQuiet(LogTally tally) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() - tally.lastChangeNanos() < TimeUnit.MILLISECONDS.toNanos(500)
        && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    return tally.counts();
  }
}
