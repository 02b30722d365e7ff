package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.PluginContext;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.TextFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import java.lang.System.Logger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A minimal {@link PluginContext} that keeps the functions a plugin registers, so they can be
 * called directly, with no host, runner or wire in between.
 *
 * <p>A text function is kept as the runner keeps it: a {@link UnaryFunction} that decodes its
 * input as UTF-8 and encodes the answer (null as empty). Streaming functions are only named.
 * Registration follows the API's contract (unique names of 1 to 128 characters, only until
 * {@link #seal()}); after that the map of functions is read-only and safe to read from any thread.
 */
final class CapturingPluginContext implements PluginContext {
  private static final int MAX_NAME_LENGTH = 128;

  private final String pluginId;
  private final String pluginVersion;
  private final Path dataDirectory;
  private final Map<String, UnaryFunction> unary = new LinkedHashMap<>();
  private final Set<String> streaming = new LinkedHashSet<>();
  private volatile boolean sealed;

  CapturingPluginContext(String pluginId, String pluginVersion, Path dataDirectory) {
    this.pluginId = checkNotNull(pluginId, "pluginId");
    this.pluginVersion = checkNotNull(pluginVersion, "pluginVersion");
    this.dataDirectory = checkNotNull(dataDirectory, "dataDirectory");
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
    return Map.of();
  }

  @Override
  public Logger logger() {
    return System.getLogger("plugin." + pluginId);
  }

  @Override
  public Path dataDirectory() {
    return dataDirectory;
  }

  @Override
  public synchronized void register(String name, UnaryFunction function, FunctionOption... options) {
    checkName(name);
    unary.put(name, checkNotNull(function, "function"));
  }

  @Override
  public void registerText(String name, TextFunction function, FunctionOption... options) {
    checkNotNull(function, "function");
    register(
        name,
        (call, input) -> {
          String result = function.apply(call, new String(input, StandardCharsets.UTF_8));
          return result == null ? new byte[0] : result.getBytes(StandardCharsets.UTF_8);
        },
        options);
  }

  @Override
  public synchronized void registerStreaming(String name, StreamingFunction function, FunctionOption... options) {
    checkName(name);
    checkNotNull(function, "function");
    streaming.add(name);
  }

  /** Ends registration; called when the plugin's start hook returns. Idempotent. */
  void seal() {
    sealed = true;
  }

  /** The unary and text functions registered, by name; unmodifiable. */
  synchronized Map<String, UnaryFunction> unaryFunctions() {
    return Map.copyOf(unary);
  }

  /** Every name registered, unary or streaming. */
  synchronized Set<String> names() {
    Set<String> names = new LinkedHashSet<>(unary.keySet());
    names.addAll(streaming);
    return names;
  }

  private void checkName(String name) {
    checkState(!sealed, "plugin %s registered %s after its start hook returned", pluginId, name);
    checkNotNull(name, "name");
    checkArgument(!name.isEmpty() && name.length() <= MAX_NAME_LENGTH, "a function name must have 1 to 128 characters: '%s'", name);
    checkArgument(!unary.containsKey(name) && !streaming.contains(name), "function %s is already registered", name);
  }
}
