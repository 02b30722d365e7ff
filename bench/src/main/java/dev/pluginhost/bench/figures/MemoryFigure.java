package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Memory: the resident size of an idle plugin process that has served some calls and settled,
 * and what each plugin costs the host itself: this JVM's heap after a full collection, its
 * resident size and its threads with N plugins running, less the same with a host of no plugins,
 * divided by N.
 */
public final class MemoryFigure implements Figure {
  private static final Duration SETTLE = Duration.ofSeconds(2);

  @Override
  public String id() {
    return "memory";
  }

  @Override
  public String title() {
    return "memory: an idle plugin process's resident size, and the host's own cost per plugin";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int count = context.pick(8, 3);
    PluginSettings settings = BenchSettings.builder().processes(1).build();
    Footprint.Self empty;
    try (PluginHost host = context.hostBuilder(id() + "-empty", context.newDirectory("plugins-none")).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(1));
      Thread.sleep(SETTLE.toMillis());
      empty = Footprint.self();
    }
    Samples tree = new Samples("plugin process tree (sandbox + JVM), idle");
    Samples jvm = new Samples("  the plugin JVM alone");
    Samples proportional = new Samples("plugin process tree, proportional (PSS) among " + count);
    Footprint.Self full;
    context.progress().printf("  %d plugins, 100 calls each, then %d s idle%n", count, SETTLE.toSeconds());
    try (Fleet fleet = Fleet.start(context, id(), count, settings)) {
      for (PluginHandle plugin : fleet.plugins) {
        for (int i = 0; i < 100; i++) {
          PluginWaits.squareOfSevenSource(plugin.callText("square", "7", Duration.ofSeconds(30)));
        }
      }
      Thread.sleep(SETTLE.toMillis());
      full = Footprint.self();
      for (PluginHandle plugin : fleet.plugins) {
        Footprint.Plugin sizes = Footprint.plugin(plugin);
        sizes.trees().forEach(bytes -> tree.add(bytes / Footprint.MIB));
        sizes.jvms().forEach(bytes -> jvm.add(bytes / Footprint.MIB));
        plugin.processes().forEach(p -> proportional.add(Footprint.treeProportionalBytes(p.pid()) / Footprint.MIB));
      }
    }
    List<Measure> measures = new ArrayList<>();
    measures.add(new Measure(tree, "MiB"));
    measures.add(new Measure(jvm, "MiB"));
    measures.add(new Measure(proportional, "MiB"));
    measures.add(Measure.single("host heap after GC, per plugin", (full.heapUsed() - empty.heapUsed()) / Footprint.MIB / count, "MiB"));
    measures.add(Measure.single("host resident size, per plugin", (full.resident() - empty.resident()) / Footprint.MIB / count, "MiB"));
    measures.add(Measure.single("host threads, per plugin", (full.threads() - empty.threads()) / (double) count, "threads"));
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugins", count + " copies of squares (distinct ids), processes(1) each, host defaults otherwise (sandbox AUTO,"
        + " -Xmx" + settings.maxHeapMegabytes() + "m)");
    used.put("idle", "100 calls to each, then " + SETTLE.toSeconds() + " s before reading /proc/PID/status VmRSS");
    used.put("host cost", String.format(
        java.util.Locale.ROOT,
        "this JVM with %d plugins less with a running host of none (heap %.1f -> %.1f MiB, RSS %.1f -> %.1f MiB, threads %d -> %d)",
        count, empty.heapUsed() / Footprint.MIB, full.heapUsed() / Footprint.MIB, empty.resident() / Footprint.MIB,
        full.resident() / Footprint.MIB, empty.threads(), full.threads()));
    List<String> notes = List.of(
        "the host's resident size includes whatever earlier figures in this JVM left; its heap after GC is the steadier figure");
    return new FigureResult(id(), title(), measures, used, notes);
  }
}
