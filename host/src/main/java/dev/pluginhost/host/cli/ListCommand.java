package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.ListPluginsRequest;
import dev.pluginhost.proto.admin.v1.ListPluginsResponse;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.ProcessStatus;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;

/** Every plugin of the server, a line each. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "Lists the server's plugins: state, processes, restarts, the last death, and plugin jars it refused.")
final class ListCommand extends AdminCommand {
  @Override
  int run(AdminClient client) {
    ListPluginsResponse list = client.blocking(options.timeout).listPlugins(ListPluginsRequest.getDefaultInstance());
    if (options.json) {
      printJson(list);
      return 0;
    }
    Table table = new Table("ID", "VERSION", "STATE", "PIDS", "UPTIME", "RESTARTS", "CALLS", "FAILED", "LAST DEATH");
    for (PluginStatus plugin : list.getPluginsList()) {
      String pids =
          plugin.getProcessesList().stream().filter(p -> p.getPid() > 0).map(p -> Long.toString(p.getPid())).collect(Collectors.joining(","));
      long uptime = plugin.getProcessesList().stream().mapToLong(ProcessStatus::getUptimeMillis).max().orElse(-1);
      table.row(
          plugin.getId(),
          plugin.getVersion(),
          plugin.getState() + (plugin.getEnabled() || plugin.getState().equals("DISABLED") ? "" : " (disabled)"),
          pids.isEmpty() ? "-" : pids,
          Formats.duration(uptime),
          Integer.toString(plugin.getRestartCount()),
          Long.toString(plugin.getCalls().getStarted()),
          Long.toString(plugin.getCalls().getFailed()),
          plugin.hasLastDeath() ? plugin.getLastDeath().getCause() + " " + Formats.time(plugin.getLastDeath().getAtEpochMillis()) : "-");
    }
    out.print(table);
    for (String problem : list.getProblemsList()) {
      out.println("refused: " + problem);
    }
    return 0;
  }
}
