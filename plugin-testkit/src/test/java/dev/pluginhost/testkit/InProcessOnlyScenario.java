package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.HostServiceException;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * What {@link InProcessNeedsOnlyThePluginApiTest} runs in a class loader without the host: every
 * kind of call, a host service refused and one granted, a close. Uses no test library, which that
 * loader does not have either.
 */
public final class InProcessOnlyScenario implements Supplier<String> {
  @Override
  public String get() {
    try (InProcessPlugin plugin =
        InProcessPlugin.builder(
                context -> {
                  context.registerText("shout", (call, input) -> input.toUpperCase(Locale.ROOT) + "!");
                  context.registerText("remember", (call, input) -> {
                    context.store().putText("k", input);
                    return "ok";
                  });
                  context.registerText("log", (call, input) -> {
                    context.log().info(input);
                    return "ok";
                  });
                  context.registerStreaming("pipe", (call, pipe) -> pipe.sendText(pipe.receiveText().toUpperCase(Locale.ROOT)));
                })
            .grant("log")
            .start()) {
      String unary = plugin.callText("shout", "hi");
      List<String> mapped = plugin.mapText("shout", List.of("a", "b")).stream().map(o -> o.text().replace("!", "").toLowerCase(Locale.ROOT)).toList();
      String piped;
      try (CallerPipe pipe = plugin.openPipe("pipe")) {
        pipe.sendText("pipe");
        piped = pipe.receiveText();
      }
      String denied;
      try {
        plugin.callText("remember", "x");
        denied = "not denied";
      } catch (CallFailedException e) {
        denied = e.getCause() instanceof HostServiceException ? "denied " + ((HostServiceException) e.getCause()).missingGrant().orElse("?") : "other";
      }
      plugin.callText("log", "hello");
      return unary + " | " + mapped + " | " + piped + " | " + denied + " | " + plugin.logEntries().size() + " record";
    }
  }
}
