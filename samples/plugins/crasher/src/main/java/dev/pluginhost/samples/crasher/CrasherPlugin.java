package dev.pluginhost.samples.crasher;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;

/** Ends its own JVM on request: the host must notice, report why, and restart it. */
public final class CrasherPlugin implements Plugin {

  @Override
  public void start(PluginContext context) {
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
