package dev.pluginhost.bench.compare;

import dev.pluginhost.bench.Samples;
import dev.pluginhost.bench.baseline.BaselineResult;
import dev.pluginhost.bench.baseline.Figure;
import dev.pluginhost.bench.figures.FigureResult;
import dev.pluginhost.bench.figures.Measure;
import dev.pluginhost.bench.figures.ServicesFigure;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The bars, row by row: each of the host's figures set against the baseline measured in the
 * same run (as a ratio of medians) or against its fixed target. A row whose figure or baseline is
 * missing from the run is left out.
 */
final class ComparisonRows {
  private static final double NANOS_PER_MS = 1e6;
  private static final double MB_PER_MIB = 1.048576;

  private final List<BaselineResult> baselines;
  private final List<FigureResult> figures;
  private final List<Comparison> rows = new ArrayList<>();

  private ComparisonRows(List<BaselineResult> baselines, List<FigureResult> figures) {
    this.baselines = baselines;
    this.figures = figures;
  }

  static List<Comparison> of(List<BaselineResult> baselines, List<FigureResult> figures) {
    ComparisonRows r = new ComparisonRows(baselines, figures);
    r.roundTrip();
    r.throughput();
    r.map();
    r.bulk();
    r.services();
    r.lifecycle();
    return r.rows;
  }

  private void roundTrip() {
    String inline = "round trip, square (NON_BLOCKING: on the I/O thread)";
    String onThread = "round trip, squareOnThread (on a call thread)";
    both(median("roundtrip", inline), base("grpc.direct.round-trip", Samples::median),
        (ours, floor) -> Comparison.atMost("call p50, NON_BLOCKING function / gRPC floor", ours, "gRPC echo, direct", floor, "ms", 1.15));
    both(median("roundtrip", onThread), base("grpc.direct.round-trip", Samples::median),
        (ours, floor) -> Comparison.atMost("call p50, ordinary function / gRPC floor", ours, "gRPC echo, direct", floor, "ms", 1.15));
    both(measure("roundtrip", inline).map(m -> m.samples().percentile(99)), base("grpc.direct.round-trip", s -> s.percentile(99)),
        (ours, floor) -> Comparison.shown("call p99, NON_BLOCKING function / gRPC floor", ours, "gRPC echo, direct", floor, "ms"));
    both(median("roundtrip", inline), base("python.pool-apply", Samples::median),
        (ours, python) -> Comparison.atMost("call p50, NON_BLOCKING / Python Pool(2).apply", ours, "Python apply", python, "ms", 0.6));
    both(median("roundtrip", onThread), base("python.pool-apply", Samples::median),
        (ours, python) -> Comparison.atMost("call p50, ordinary / Python Pool(2).apply", ours, "Python apply", python, "ms", 0.6));
    both(median("roundtrip", inline), base("in-process.call", Samples::median),
        (ours, local) -> Comparison.shown("call p50 / the same call in-process", ours, "in-process", local, "ms"));
  }

  private void throughput() {
    Optional<Double> floor = rate("grpc.direct.in-flight");
    Optional<Double> pythonMap1 = rate("python.map-chunksize-1");
    for (int processes : new int[] {1, 2}) {
      String inline = "processes(" + processes + "), square (NON_BLOCKING)";
      String onThread = "processes(" + processes + "), squareOnThread";
      both(median("throughput", inline), floor,
          (ours, f) -> Comparison.atLeast("calls/s, 64 in flight, " + processes + " process(es), NON_BLOCKING / gRPC floor", ours, "gRPC echo, direct", f, "calls/s", 0.8));
      both(median("throughput", onThread), floor,
          (ours, f) -> Comparison.atLeast("calls/s, 64 in flight, " + processes + " process(es), ordinary / gRPC floor", ours, "gRPC echo, direct", f, "calls/s", 0.8));
      both(median("throughput", inline), pythonMap1,
          (ours, p) -> Comparison.atLeast("calls/s, " + processes + " process(es), NON_BLOCKING / Python map chunksize 1", ours, "Python map, chunk 1", p, "/s", 2));
    }
  }

  private void map() {
    both(median("map", "chunk size 1"), rate("python.map-chunksize-1"),
        (ours, p) -> Comparison.atLeast("map of 100,000, chunk size 1 / Python chunksize 1", ours, "Python map, chunk 1", p, "items/s", 2));
    both(medianStarting("map", "default chunking"), rate("python.map-default"),
        (ours, p) -> Comparison.atLeast("map of 100,000, chunked / Python default chunksize", ours, "Python map, default", p, "items/s", 1));
  }

  private void bulk() {
    both(median("bulk", "unary echo, 1 MiB each way").map(v -> v * MB_PER_MIB), rate("grpc.direct.bulk-unary"),
        (ours, f) -> Comparison.shown("1 MB unary echo, MB/s / gRPC floor", ours, "gRPC echo, direct", f, "MB/s"));
    both(medianStarting("bulk", "pipe, one way").map(v -> v * MB_PER_MIB), rate("grpc.direct.bulk-stream"),
        (ours, f) -> Comparison.shown("stream of 64 KiB messages, MB/s / gRPC floor", ours, "gRPC stream, direct", f, "MB/s"));
  }

  /** Against the services figure's own baseline: squares.square called directly from the host in the same run. */
  private void services() {
    String against = "squares.square, direct";
    Optional<Measure> direct = measure("services", ServicesFigure.ROW_DIRECT);
    Optional<Double> directP50 = direct.map(m -> m.samples().median());
    Optional<Measure> nested = measure("services", ServicesFigure.ROW_NESTED);
    both(nested.map(m -> m.samples().median()), directP50,
        (ours, d) -> Comparison.atMost("nested call p50 (host, fanout, host, squares) / direct call", ours, against, d, "ms", 2));
    both(nested.map(m -> m.samples().percentile(99)), direct.map(m -> m.samples().percentile(99)),
        (ours, d) -> Comparison.shown("nested call p99 / direct call p99", ours, against, d, "ms"));
    both(median("services", ServicesFigure.ROW_KV_GET), directP50,
        (ours, d) -> Comparison.shown("kv get p50 (ledger.visits) / direct call", ours, against, d, "ms"));
    both(median("services", ServicesFigure.ROW_KV_CAS), directP50,
        (ours, d) -> Comparison.shown("kv get + compareAndSet p50 (ledger.visit) / direct call", ours, against, d, "ms"));
    both(median("services", ServicesFigure.ROW_LOCK), directP50,
        (ours, d) -> Comparison.shown("lock, CAS, delete, release p50 (ledger.critical) / direct", ours, against, d, "ms"));
    both(median("services", ServicesFigure.ROW_SERVICE), directP50,
        (ours, d) -> Comparison.shown("application service p50 (ledger.quote) / direct call", ours, against, d, "ms"));
    median("services", ServicesFigure.ROW_LOCK_RATE)
        .ifPresent(v -> rows.add(Comparison.alone("critical sections/s, 8 callers on 2 processes", v, "/s")));
    median("services", ServicesFigure.ROW_LOG_KEPT_PER_PROCESS)
        .ifPresent(v -> rows.add(Comparison.alone("log records kept/s per process, flooded (limit 200)", v, "/s")));
    median("services", ServicesFigure.ROW_LOG_PACED_DROPPED)
        .ifPresent(v -> rows.add(Comparison.alone("log records dropped at 100/s (below the limit)", v, "records")));
  }

  private void lifecycle() {
    median("coldstart", "enableAsync() to first answer")
        .ifPresent(v -> rows.add(Comparison.withinTarget("cold start: spawn to first answer", v, 200, "ms")));
    both(median("coldstart", "enableAsync() to first answer"), base("python.spawn-process", Samples::median),
        (ours, p) -> Comparison.shown("cold start / Python spawn Process to result", ours, "Python spawn", p, "ms"));
    median("recovery", "warm spare")
        .ifPresent(v -> rows.add(Comparison.withinTarget("recovery with a warm spare: SIGKILL to answer", v, 30, "ms")));
    median("recovery", "cold (a new JVM starts)")
        .ifPresent(v -> rows.add(Comparison.alone("recovery, cold: SIGKILL to answer", v, "ms")));
    median("recovery", "  SIGKILL to death seen by the host")
        .ifPresent(v -> rows.add(Comparison.withinTarget("crash noticed: SIGKILL to the host's death event", v, 20, "ms")));
    medianStarting("hang", "  beyond the")
        .ifPresent(v -> rows.add(Comparison.alone("hang: caller's error past the call limit", v, "ms")));
    median("orphans", "SIGKILL to the last plugin process gone")
        .ifPresent(v -> rows.add(Comparison.withinTarget("orphans: host SIGKILL to last plugin gone", v, 100, "ms")));
    median("memory", "  the plugin JVM alone")
        .ifPresent(v -> rows.add(Comparison.withinTarget("idle plugin JVM, resident", v, 60, "MiB")));
    medianStarting("scale", "start to all 100 answered")
        .ifPresent(v -> rows.add(Comparison.withinTarget("100 plugins: start to all answering", v / 1000, 30, "s")));
  }

  private void both(Optional<Double> ours, Optional<Double> theirs, java.util.function.BiFunction<Double, Double, Comparison> row) {
    if (ours.isPresent() && theirs.isPresent()) {
      rows.add(row.apply(ours.get(), theirs.get()));
    }
  }

  /** The first measure of the figure with this name (recovery repeats some names; the cold one comes first). */
  private Optional<Measure> measure(String figure, String name) {
    return figures.stream().filter(f -> f.id().equals(figure)).flatMap(f -> f.measures().stream())
        .filter(m -> m.name().equals(name)).findFirst();
  }

  private Optional<Double> median(String figure, String name) {
    return measure(figure, name).map(m -> m.samples().median());
  }

  private Optional<Double> medianStarting(String figure, String prefix) {
    return figures.stream().filter(f -> f.id().equals(figure)).flatMap(f -> f.measures().stream())
        .filter(m -> m.name().startsWith(prefix)).findFirst().map(m -> m.samples().median());
  }

  /** A baseline's time statistic, in ms (baselines keep times in ns). */
  private Optional<Double> base(String id, Function<Samples, Double> statistic) {
    return baselineFigure(id).map(f -> statistic.apply(f.samples()) / NANOS_PER_MS);
  }

  /** A baseline's rate (per second), its median. */
  private Optional<Double> rate(String id) {
    return baselineFigure(id).map(Figure::median);
  }

  private Optional<Figure> baselineFigure(String id) {
    return baselines.stream().map(b -> b.figure(id)).flatMap(Optional::stream).findFirst();
  }
}
