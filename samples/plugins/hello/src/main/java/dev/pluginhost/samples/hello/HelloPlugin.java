package dev.pluginhost.samples.hello;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.util.Locale;

/**
 * The smallest useful plugin: greets, echoes, fails on request, and talks over a pipe. {@code echo}
 * and {@code count} also serve the benchmarks as a payload's round trip and a one-way sink.
 */
public final class HelloPlugin implements Plugin {

  @Override
  public void start(PluginContext context) {
    String greeting = context.config().getOrDefault("greeting", "Hello");
    context.registerText("greet", (call, name) -> greeting + ", " + name + "!");
    context.register("echo", (call, input) -> input);
    context.registerText("whoCalls", (call, ignored) -> call.metadata().getOrDefault("caller", "(nobody said)"));
    context.registerText("pid", (call, ignored) -> Long.toString(ProcessHandle.current().pid()));
    context.registerText(
        "fail",
        (call, message) -> {
          throw new IllegalStateException(message);
        });
    context.registerText(
        "reject",
        (call, message) -> {
          throw new IllegalArgumentException("cannot greet '" + message + "'");
        });
    // Answers every message with it in upper case until the caller stops sending.
    context.registerStreaming(
        "shout",
        (call, pipe) -> {
          String message;
          while ((message = pipe.receiveText()) != null) {
            pipe.sendText(message.toUpperCase(Locale.ROOT));
          }
        });
    // Reads every message until the caller stops sending, then answers with how many bytes came.
    context.registerStreaming(
        "count",
        (call, pipe) -> {
          long bytes = 0;
          for (byte[] message; (message = pipe.receive()) != null; ) {
            bytes += message.length;
          }
          pipe.sendText(Long.toString(bytes));
        });
    context.logger().log(System.Logger.Level.INFO, "hello is ready to greet with '" + greeting + "'");
  }
}
