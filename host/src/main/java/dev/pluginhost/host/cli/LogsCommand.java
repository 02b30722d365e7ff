package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.LogLine;
import dev.pluginhost.proto.admin.v1.TailLogsRequest;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** A plugin's output, across its processes and restarts. */
@Command(
    name = "logs",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a plugin's recent output (stdout and stderr of all its processes, across restarts);",
      "-f follows new lines until interrupted. The server keeps the last 1,000 lines of each plugin;",
      "lines a plugin writes faster than 200 a second per stream are counted, not kept, and shown as such."
    })
final class LogsCommand extends AdminCommand {
  @Parameters(paramLabel = "ID", description = "The plugin.")
  String id;

  @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "50", description = "How many recent lines to show first (default: ${DEFAULT-VALUE}).")
  int lines;

  @Option(names = {"-f", "--follow"}, description = "Keep showing new lines as the plugin writes them.")
  boolean follow;

  @Override
  int run(AdminClient client) {
    TailLogsRequest request = TailLogsRequest.newBuilder().setId(id).setLines(lines).setFollow(follow).build();
    Iterator<LogLine> stream =
        follow ? client.unbounded().tailLogs(request) : client.blocking(options.timeout).tailLogs(request);
    while (stream.hasNext()) {
      LogLine line = stream.next();
      if (options.json) {
        printJson(line);
      } else {
        String prefix = Formats.time(line.getAtEpochMillis()) + "  pid " + line.getPid() + " " + line.getStream() + "  ";
        if (line.getDroppedBefore() > 0) {
          out.println(prefix + "[" + line.getDroppedBefore() + " lines not shown here: this reader fell behind]");
        }
        out.println(prefix + (line.getDropped() > 0 ? "[" + line.getText() + "]" : line.getText()));
      }
      out.flush();
    }
    return 0;
  }
}
