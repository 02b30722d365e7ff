package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.CallStats;
import dev.pluginhost.proto.admin.v1.Death;
import dev.pluginhost.proto.admin.v1.PluginRef;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.ProcessStatus;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** One plugin at a glance. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = "Shows one plugin at a glance: state, processes (pid, role, uptime, memory), restarts, the last death and why, calls, errors and latency.")
final class StatusCommand extends AdminCommand {
  @Parameters(paramLabel = "ID", description = "The plugin.")
  String id;

  @Override
  int run(AdminClient client) {
    PluginStatus plugin = client.blocking(options.timeout).getPlugin(PluginRef.newBuilder().setId(id).build());
    if (options.json) {
      printJson(plugin);
      return 0;
    }
    out.print(format(plugin));
    return 0;
  }

  static String format(PluginStatus plugin) {
    StringBuilder text = new StringBuilder();
    text.append(plugin.getId()).append(' ').append(plugin.getVersion()).append(": ").append(plugin.getState());
    if (!plugin.getEnabled()) {
      text.append(" (disabled by an operator: stays off across server restarts)");
    }
    text.append('\n');
    if (plugin.getProcessesCount() == 0) {
      text.append("  processes  none\n");
    } else {
      Table processes = new Table("  PID", "ROLE", "UPTIME", "IN FLIGHT", "CALLS", "MEMORY");
      for (ProcessStatus p : plugin.getProcessesList()) {
        processes.row(
            "  " + p.getPid(), p.getRole(), Formats.duration(p.getUptimeMillis()), Integer.toString(p.getCallsInFlight()),
            Long.toString(p.getCallsStarted()), Formats.bytes(p.getResidentBytes()));
      }
      text.append(processes);
    }
    text.append("  restarts   ").append(plugin.getRestartCount())
        .append(plugin.getCrashesCount() > 0 ? " (" + plugin.getCrashesCount() + " unplanned deaths on record)" : "")
        .append('\n');
    if (plugin.hasLastDeath()) {
      Death death = plugin.getLastDeath();
      text.append("  last death ").append(death.getCause()).append(" at ").append(Formats.time(death.getAtEpochMillis()))
          .append(": pid ").append(death.getPid()).append(' ').append(death.getDetail()).append('\n');
    }
    CallStats calls = plugin.getCalls();
    text.append("  calls      ").append(calls.getStarted()).append(" started, ").append(calls.getSucceeded())
        .append(" succeeded, ").append(calls.getFailed()).append(" failed");
    if (calls.getFailedByCodeCount() > 0) {
      text.append(" (");
      text.append(String.join(", ", calls.getFailedByCodeMap().entrySet().stream()
          .sorted(java.util.Map.Entry.comparingByKey())
          .map(e -> e.getKey() + " " + e.getValue()).toList()));
      text.append(")");
    }
    text.append(", ").append(calls.getInFlight()).append(" in flight\n");
    if (calls.getSucceeded() + calls.getFailed() > 0) {
      text.append("  latency    p50 ").append(Formats.millis(calls.getP50Millis()))
          .append(", p90 ").append(Formats.millis(calls.getP90Millis()))
          .append(", p99 ").append(Formats.millis(calls.getP99Millis()))
          .append(", max ").append(Formats.millis(calls.getMaxMillis())).append('\n');
    }
    if (plugin.getFunctionsCount() > 0) {
      text.append("  functions  ").append(String.join(", ", plugin.getFunctionsList())).append('\n');
    }
    return text.toString();
  }
}
