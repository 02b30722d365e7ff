package dev.pluginhost.host.server;

import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.proto.admin.v1.CallStats;
import dev.pluginhost.proto.admin.v1.Death;
import dev.pluginhost.proto.admin.v1.LogLine;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.ProcessStatus;

/** The host's own types as the admin API's messages. */
final class AdminProtos {
  private AdminProtos() {}

  static PluginStatus status(PluginHandle plugin, boolean enabled) {
    PluginStatus.Builder status =
        PluginStatus.newBuilder()
            .setId(plugin.id())
            .setVersion(plugin.version())
            .setState(plugin.state().name())
            .setEnabled(enabled)
            .setRestartCount(plugin.restartCount())
            .addAllFunctions(plugin.functions());
    for (ProcessInfo process : plugin.processes()) {
      status.addProcesses(process(process));
    }
    plugin.lastDeath().ifPresent(death -> status.setLastDeath(death(death)));
    status.setCalls(calls(plugin.metrics().calls()));
    plugin.deaths().forEach(death -> status.addCrashes(death(death)));
    return status.build();
  }

  static ProcessStatus process(ProcessInfo process) {
    return ProcessStatus.newBuilder()
        .setPid(process.pid())
        .setRole(process.role().name())
        .setCallsInFlight(process.callsInFlight())
        .setCallsStarted(process.callsStarted())
        .setUptimeMillis(process.uptime().toMillis())
        .setResidentBytes(process.residentBytes())
        .build();
  }

  static CallStats calls(PluginMetrics.Calls calls) {
    CallStats.Builder stats =
        CallStats.newBuilder()
            .setStarted(calls.started())
            .setSucceeded(calls.succeeded())
            .setFailed(calls.failed())
            .setInFlight(calls.inFlight())
            .setP50Millis(millis(calls.latency().p50()))
            .setP90Millis(millis(calls.latency().p90()))
            .setP99Millis(millis(calls.latency().p99()))
            .setMaxMillis(millis(calls.latency().max()))
            .setRecentP50Millis(millis(calls.recentLatency().p50()))
            .setRecentP99Millis(millis(calls.recentLatency().p99()));
    calls.failedByCode().forEach((code, count) -> stats.putFailedByCode(code.name(), count));
    return stats.build();
  }

  static LogLine logLine(OutputLine line, long droppedBefore) {
    return LogLine.newBuilder()
        .setAtEpochMillis(line.time().toEpochMilli())
        .setPid(line.pid())
        .setStream(line.stream().name().toLowerCase(java.util.Locale.ROOT))
        .setText(line.text())
        .setDroppedBefore(droppedBefore)
        .setDropped(line.dropped())
        .build();
  }

  private static double millis(java.time.Duration duration) {
    return duration.toNanos() / 1_000_000.0;
  }

  static Death death(ProcessDeath death) {
    return Death.newBuilder()
        .setPid(death.pid())
        .setAtEpochMillis(death.time().toEpochMilli())
        .setCause(death.cause().name())
        .setExitCode(death.exitCode())
        .setDetail(death.detail())
        .addAllLastOutput(death.lastOutput())
        .setErrorReport(death.errorReport().map(Object::toString).orElse(""))
        .build();
  }

  static dev.pluginhost.proto.admin.v1.PluginEvent event(PluginEvent event) {
    return dev.pluginhost.proto.admin.v1.PluginEvent.newBuilder()
        .setAtEpochMillis(event.time().toEpochMilli())
        .setId(event.pluginId())
        .setFrom(event.from().name())
        .setTo(event.to().name())
        .setPid(event.pid())
        .setReason(event.reason())
        .build();
  }
}
