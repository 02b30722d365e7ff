package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.PluginEvent;
import dev.pluginhost.proto.admin.v1.WatchEventsRequest;
import java.util.Iterator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Plugins' state changes, with their reasons. */
@Command(
    name = "events",
    mixinStandardHelpOptions = true,
    description = "Shows recent state changes of every plugin (or one), with the reasons; -f follows new ones until interrupted.")
final class EventsCommand extends AdminCommand {
  @Parameters(paramLabel = "ID", arity = "0..1", description = "Only this plugin's events.")
  String id;

  @Option(names = {"-n", "--lines"}, paramLabel = "N", defaultValue = "20", description = "How many recent events to show first (default: ${DEFAULT-VALUE}).")
  int recent;

  @Option(names = {"-f", "--follow"}, description = "Keep showing new events as they happen.")
  boolean follow;

  @Override
  int run(AdminClient client) {
    WatchEventsRequest request =
        WatchEventsRequest.newBuilder().setId(id == null ? "" : id).setRecent(recent).setFollow(follow).build();
    // Following has no deadline: it runs until the operator interrupts it or the server stops.
    Iterator<PluginEvent> events =
        follow
            ? client.unbounded().watchEvents(request)
            : client.blocking(options.timeout).watchEvents(request);
    while (events.hasNext()) {
      PluginEvent event = events.next();
      if (options.json) {
        printJson(event);
      } else {
        out.println(Formats.time(event.getAtEpochMillis()) + "  " + event.getId() + "  " + event.getFrom() + " -> " + event.getTo() + "  " + event.getReason());
      }
      out.flush();
    }
    return 0;
  }
}
