package dev.pluginhost.samples.crasher;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.nio.file.Files;

/** Ends its own JVM on request: the host must notice, report why, and restart it. */
public final class CrasherPlugin implements Plugin {

  @Override
  public void start(PluginContext context) throws Exception {
    // A start hook that fails while a marker file exists in the plugin's data directory: a crash
    // loop an operator can end by removing the cause.
    if (Files.exists(context.dataDirectory().resolve("fail-start"))) {
      throw new IllegalStateException("crasher: refusing to start while fail-start exists");
    }
    context.registerText("ping", (call, input) -> "pong");
    // Input: the exit code, default 42.
    context.registerText(
        "exit",
        (call, input) -> {
          System.err.println("crasher: exiting with code " + code(input) + " as asked");
          System.exit(code(input));
          return "unreachable";
        });
    // Like exit, but skips shutdown hooks, as a JVM torn down abruptly would.
    context.registerText(
        "halt",
        (call, input) -> {
          System.err.println("crasher: halting with code " + code(input) + " as asked");
          Runtime.getRuntime().halt(code(input));
          return "unreachable";
        });
  }

  private static int code(String input) {
    return input.isBlank() ? 42 : Integer.parseInt(input.trim());
  }
}
