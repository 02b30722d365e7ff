package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.PluginContext;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.TextFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/** The {@link PluginContext} handed to a plugin's start hook. */
final class RunnerPluginContext implements PluginContext {
  private final LoadedPlugin plugin;
  private final Map<String, String> config;
  private final Logger logger;
  private final Path dataDirectory;
  private final FunctionTable functions;

  RunnerPluginContext(
      LoadedPlugin plugin,
      Map<String, String> config,
      Logger logger,
      Path dataDirectory,
      FunctionTable functions) {
    this.plugin = plugin;
    this.config = Map.copyOf(config);
    this.logger = logger;
    this.dataDirectory = dataDirectory;
    this.functions = functions;
  }

  @Override
  public String pluginId() {
    return plugin.id;
  }

  @Override
  public String pluginVersion() {
    return plugin.version;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Logger logger() {
    return logger;
  }

  @Override
  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public void register(String name, UnaryFunction function, FunctionOption... options) {
    functions.addUnary(name, function, options);
  }

  @Override
  public void registerText(String name, TextFunction function, FunctionOption... options) {
    if (function == null) {
      functions.addUnary(name, null, options);
      return;
    }
    functions.addUnary(
        name,
        (call, input) -> {
          String result = function.apply(call, new String(input, StandardCharsets.UTF_8));
          return result == null ? new byte[0] : result.getBytes(StandardCharsets.UTF_8);
        },
        options);
  }

  @Override
  public void registerStreaming(String name, StreamingFunction function, FunctionOption... options) {
    functions.addStreaming(name, function, options);
  }
}
