package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.plugin.api.PluginCalls;
import dev.pluginhost.plugin.api.PluginContext;
import dev.pluginhost.plugin.api.ServiceClient;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.StructuredLog;
import dev.pluginhost.plugin.api.TextFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.runner.internal.services.HostServicesAccess;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/** The {@link PluginContext} handed to a plugin's start hook. */
final class RunnerPluginContext implements PluginContext {
  private final LoadedPlugin plugin;
  private final Map<String, String> config;
  private final Logger logger;
  private final Path dataDirectory;
  private final FunctionTable functions;
  private final HostServicesAccess services;

  RunnerPluginContext(
      LoadedPlugin plugin,
      Map<String, String> config,
      Logger logger,
      Path dataDirectory,
      FunctionTable functions,
      HostServicesAccess services) {
    this.plugin = plugin;
    this.config = Map.copyOf(config);
    this.logger = logger;
    this.dataDirectory = dataDirectory;
    this.functions = functions;
    this.services = services;
  }

  @Override
  public Set<String> grants() {
    return services.grants();
  }

  @Override
  public StructuredLog log() {
    return services.log();
  }

  @Override
  public KeyValueStore store() {
    return services.store();
  }

  @Override
  public Locks locks() {
    return services.locks();
  }

  @Override
  public PluginCalls plugins() {
    return services.plugins();
  }

  @Override
  public ServiceClient service(String name) {
    return services.service(name);
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
