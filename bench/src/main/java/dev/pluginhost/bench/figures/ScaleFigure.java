package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Scale: a host started with many plugins at once (copies of {@code squares} with distinct ids,
 * one process each) on this machine; the time until all serve, their total resident size, the
 * host's own footprint with them, and how long closing the host takes until every plugin process
 * is gone.
 */
public final class ScaleFigure implements Figure {
  static final Duration START_TIMEOUT = Duration.ofMinutes(5);

  @Override
  public String id() {
    return "scale";
  }

  @Override
  public String title() {
    return "scale: many plugins started at once on this machine";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int count = context.pick(100, 10);
    PluginSettings settings = BenchSettings.builder().processes(1).startTimeout(START_TIMEOUT).build();
    List<Measure> measures = new ArrayList<>();
    List<String> notes = new ArrayList<>();
    Samples perPlugin = new Samples("resident size per plugin (process tree)");
    Footprint.Self self;
    long closing;
    Set<Long> pids;
    context.progress().printf("  starting %d plugins%n", count);
    Fleet fleet = Fleet.start(context, id(), count, settings);
    try {
      double total = 0;
      double proportional = 0;
      for (PluginHandle plugin : fleet.plugins) {
        for (var process : plugin.processes()) {
          proportional += Footprint.treeProportionalBytes(process.pid()) / Footprint.MIB;
        }
        for (long bytes : Footprint.plugin(plugin).trees()) {
          perPlugin.add(bytes / Footprint.MIB);
          total += bytes / Footprint.MIB;
        }
        if (plugin.restartCount() > 0) {
          notes.add(plugin.id() + " restarted " + plugin.restartCount() + " times while starting; last death: "
              + plugin.lastDeath().map(d -> d.detail()).orElse("?"));
        }
      }
      self = Footprint.self();
      measures.add(Measure.single("start to awaitRunning()", fleet.started, "ms"));
      measures.add(Measure.single("start to all " + count + " answered a call", fleet.answered, "ms"));
      measures.add(new Measure(fleet.ready, "ms"));
      measures.add(Measure.single("total resident size of all plugin processes", total, "MiB"));
      measures.add(Measure.single("  their total proportional size (PSS: shared pages shared out)", proportional, "MiB"));
      measures.add(new Measure(perPlugin, "MiB"));
      measures.add(Measure.single("host heap after GC", self.heapUsed() / Footprint.MIB, "MiB"));
      measures.add(Measure.single("host resident size", self.resident() / Footprint.MIB, "MiB"));
      measures.add(Measure.single("host threads", self.threads(), "threads"));
    } finally {
      pids = context.ledger().pids();
      closing = System.nanoTime();
      fleet.close();
    }
    double closed = (System.nanoTime() - closing) / 1e6;
    long stillAlive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).count();
    measures.add(Measure.single("close() of the host", closed, "ms"));
    if (stillAlive > 0) {
      notes.add(stillAlive + " plugin processes were still alive when close() returned");
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugins", count + " copies of squares (ids squares-000...), processes(1) each, all started by one startAsync()");
    used.put("settings", "host defaults (sandbox AUTO, -Xmx" + settings.maxHeapMegabytes() + "m) but startTimeout("
        + START_TIMEOUT.toMinutes() + " min; default 30 s)");
    used.put("machine", Runtime.getRuntime().availableProcessors() + " cores");
    return new FigureResult(id(), title(), measures, used, notes);
  }
}
