package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.RecoveryBenchmark;
import dev.pluginhost.bench.Samples;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Recovery from SIGKILL of the serving process to the next answer, cold and with a warm spare:
 * the {@code recovery} benchmark ({@link RecoveryBenchmark}) with fewer rounds, its numbers in ms.
 */
public final class RecoveryFigure implements Figure {

  @Override
  public String id() {
    return "recovery";
  }

  @Override
  public String title() {
    return "recovery: SIGKILL of the serving process to the next answer (squares, processes(1))";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    RecoveryBenchmark.Options options = new RecoveryBenchmark.Options();
    options.reps = context.pick(8, 2);
    options.warmup = 1;
    options.plugins = context.samples();
    RecoveryBenchmark.Result r =
        new RecoveryBenchmark(options, new PrintStream(OutputStream.nullOutputStream()), context.progress()).measure();
    List<Measure> measures = new ArrayList<>();
    measures.add(ms("cold (a new JVM starts)", r.coldRecovery()));
    measures.add(ms("  SIGKILL to death seen by the host", r.coldDeath()));
    measures.add(ms("  death seen by the host to answer", r.coldRest()));
    measures.add(ms("warm spare", r.warmRecovery()));
    measures.add(ms("  SIGKILL to death seen by the host", r.warmDeath()));
    measures.add(ms("  death seen by the host to answer", r.warmRest()));
    measures.add(new Measure(copy("warm spare / cold, per round", r.warmOverCold(), 1), "ratio"));
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "squares, processes(1); warmSpares(0) and warmSpares(1) in two hosts");
    used.put("restart delay", options.restartDelay.toMillis() + " ms, never growing (host default: 100 ms, doubling)");
    used.put("rounds", options.reps + " after " + options.warmup + " warm-up; each kills each host's server once");
    used.put("kill", "SIGKILL of the serving process's whole tree (bwrap and JVM) at once, callText(\"square\", \"7\") straight after");
    List<String> notes = new ArrayList<>();
    r.failuresAfterKill().forEach((error, count) -> notes.add(count + " calls failed after a kill and were called again: " + error));
    return new FigureResult(id(), title(), measures, used, notes);
  }

  private static Measure ms(String name, Samples nanos) {
    return new Measure(copy(name, nanos, 1e-6), "ms");
  }

  /** A copy of {@code from} under another name, each value times {@code scale}. */
  static Samples copy(String name, Samples from, double scale) {
    Samples to = new Samples(name);
    from.values().forEach(v -> to.add(v * scale));
    return to;
  }
}
