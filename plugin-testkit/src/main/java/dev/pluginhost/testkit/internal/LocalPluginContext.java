package dev.pluginhost.testkit.internal;

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
import dev.pluginhost.testkit.TestService;
import java.io.PrintStream;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The {@link PluginContext} of an in-process plugin: the runner's, with the host services kept in
 * this JVM. Registration goes to a {@link FunctionRegistry} under the runner's rules; text
 * functions are wrapped in UTF-8 as the runner wraps them.
 */
public final class LocalPluginContext implements PluginContext {
  private final String pluginId;
  private final String pluginVersion;
  private final Map<String, String> config;
  private final Path dataDirectory;
  private final FunctionRegistry functions;
  private final GrantCheck grants;
  private final Logger logger;
  private final StructuredLog log;
  private final KeyValueStore store;
  private final Locks locks;
  private final PluginCalls plugins;
  private final Map<String, TestService> services;
  private final ExecutorService serviceExecutor;
  private final PrintStream diagnostics;

  public LocalPluginContext(
      String pluginId,
      String pluginVersion,
      Map<String, String> config,
      Path dataDirectory,
      FunctionRegistry functions,
      GrantCheck grants,
      StructuredLog log,
      MemoryStore store,
      PluginCalls plugins,
      Map<String, TestService> services,
      ExecutorService serviceExecutor,
      PrintStream diagnostics) {
    this.pluginId = pluginId;
    this.pluginVersion = pluginVersion;
    this.config = Map.copyOf(config);
    this.dataDirectory = dataDirectory;
    this.functions = functions;
    this.grants = grants;
    this.logger = new StderrLogger(pluginId, diagnostics);
    this.log = log;
    this.store = new GrantedStore(store, grants);
    this.locks = new MemoryLocks(grants);
    this.plugins = plugins;
    this.services = Map.copyOf(services);
    this.serviceExecutor = serviceExecutor;
    this.diagnostics = diagnostics;
  }

  @Override
  public String pluginId() {
    return pluginId;
  }

  @Override
  public String pluginVersion() {
    return pluginVersion;
  }

  @Override
  public Map<String, String> config() {
    return config;
  }

  @Override
  public Set<String> grants() {
    return grants.grants();
  }

  @Override
  public StructuredLog log() {
    return log;
  }

  @Override
  public KeyValueStore store() {
    return store;
  }

  @Override
  public Locks locks() {
    return locks;
  }

  @Override
  public PluginCalls plugins() {
    return plugins;
  }

  @Override
  public ServiceClient service(String name) {
    return new LocalServiceClient(name, grants, services, serviceExecutor, diagnostics);
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
