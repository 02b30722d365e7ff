package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.GetMetricsRequest;
import dev.pluginhost.proto.admin.v1.GetMetricsResponse;
import picocli.CommandLine.Command;

/** The server's metrics, for Prometheus or for a look. */
@Command(
    name = "metrics",
    mixinStandardHelpOptions = true,
    description = "Prints every plugin's state, processes, memory, restarts and calls in the Prometheus text format.")
final class MetricsCommand extends AdminCommand {
  @Override
  int run(AdminClient client) {
    GetMetricsResponse metrics = client.blocking(options.timeout).getMetrics(GetMetricsRequest.getDefaultInstance());
    if (options.json) {
      printJson(metrics);
    } else {
      out.print(metrics.getText());
    }
    return 0;
  }
}
