package dev.pluginhost.host.server;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The host's plugins as Prometheus metrics, in its text format: state, processes and their
 * memory, restarts, and unary calls by outcome with their latency. Written by the Prometheus Java
 * client's own model and writer, so the format is theirs, not ours.
 */
final class PrometheusMetrics {
  private PrometheusMetrics() {}

  static String text(Collection<PluginHandle> plugins) {
    List<PluginHandle> sorted = plugins.stream().sorted(Comparator.comparing(PluginHandle::id)).toList();
    GaugeSnapshot.Builder up = GaugeSnapshot.builder().name("pluginhost_plugin_up")
        .help("1 when the plugin serves calls (RUNNING), else 0");
    GaugeSnapshot.Builder state = GaugeSnapshot.builder().name("pluginhost_plugin_state")
        .help("1 for the plugin's current state, 0 for the others");
    GaugeSnapshot.Builder processes = GaugeSnapshot.builder().name("pluginhost_plugin_processes")
        .help("Processes of the plugin: serving, starting, draining or spare");
    GaugeSnapshot.Builder resident = GaugeSnapshot.builder().name("pluginhost_process_resident_memory_bytes")
        .unit(Unit.BYTES).help("Resident memory of each plugin process and its descendants");
    CounterSnapshot.Builder restarts = CounterSnapshot.builder().name("pluginhost_plugin_restarts")
        .help("Restarts of the plugin's process since the host started");
    CounterSnapshot.Builder calls = CounterSnapshot.builder().name("pluginhost_calls")
        .help("Unary calls finished, by outcome: OK or the gRPC code they failed with");
    GaugeSnapshot.Builder inFlight = GaugeSnapshot.builder().name("pluginhost_calls_in_flight")
        .help("Unary calls started and not finished: queued or running");
    SummarySnapshot.Builder latency = SummarySnapshot.builder().name("pluginhost_call_duration_seconds")
        .unit(Unit.SECONDS).help("Latency of finished unary calls since the host started, queueing included");

    for (PluginHandle plugin : sorted) {
      Labels labels = Labels.of("plugin", plugin.id());
      PluginState current = plugin.state();
      up.dataPoint(gauge(labels, current == PluginState.RUNNING ? 1 : 0));
      for (PluginState each : PluginState.values()) {
        state.dataPoint(gauge(Labels.of("plugin", plugin.id(), "state", each.name()), each == current ? 1 : 0));
      }
      List<ProcessInfo> running = plugin.processes();
      processes.dataPoint(gauge(labels, running.size()));
      for (ProcessInfo process : running) {
        if (process.pid() > 0 && process.residentBytes() >= 0) {
          resident.dataPoint(
              gauge(Labels.of("plugin", plugin.id(), "pid", Long.toString(process.pid()), "role", process.role().name()),
                  process.residentBytes()));
        }
      }
      restarts.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(plugin.restartCount()).build());
      PluginMetrics.Calls unary = plugin.metrics().calls();
      calls.dataPoint(counter(Labels.of("plugin", plugin.id(), "outcome", "OK"), unary.succeeded()));
      unary.failedByCode().entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .forEach(e -> calls.dataPoint(counter(Labels.of("plugin", plugin.id(), "outcome", e.getKey().name()), e.getValue())));
      inFlight.dataPoint(gauge(labels, unary.inFlight()));
      PluginMetrics.Latency l = unary.latency();
      latency.dataPoint(
          SummaryDataPointSnapshot.builder()
              .labels(labels)
              .count(l.count())
              .sum(l.count() * seconds(l.mean()))
              .quantiles(Quantiles.of(
                  new Quantile(0.5, seconds(l.p50())), new Quantile(0.9, seconds(l.p90())), new Quantile(0.99, seconds(l.p99()))))
              .build());
    }
    MetricSnapshots snapshots =
        MetricSnapshots.of(up.build(), state.build(), processes.build(), resident.build(), restarts.build(),
            calls.build(), inFlight.build(), latency.build());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, snapshots, EscapingScheme.UNDERSCORE_ESCAPING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static GaugeDataPointSnapshot gauge(Labels labels, double value) {
    return GaugeDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static CounterDataPointSnapshot counter(Labels labels, double value) {
    return CounterDataPointSnapshot.builder().labels(labels).value(value).build();
  }

  private static double seconds(java.time.Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
