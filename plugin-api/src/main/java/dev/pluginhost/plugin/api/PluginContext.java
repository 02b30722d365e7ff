package dev.pluginhost.plugin.api;

import java.lang.System.Logger;
import java.nio.file.Path;
import java.util.Map;

/**
 * What the host gives a plugin at start: who it is, its configuration, a logger, a place to keep
 * files, and the means to register functions.
 *
 * <p>Registration is allowed only during {@link Plugin#start}; afterwards the register methods
 * throw {@link IllegalStateException}. Names are unique per plugin: registering a name twice
 * throws {@link IllegalArgumentException}. Every other method may be called from any thread at any
 * time.
 */
public interface PluginContext {

  /** The plugin's id, as its descriptor declares it. */
  String pluginId();

  /** The plugin's version, as its descriptor declares it. */
  String pluginVersion();

  /**
   * The configuration the host passed for this plugin, unmodifiable. Empty when there is none;
   * never null.
   */
  Map<String, String> config();

  /**
   * A logger whose records reach the host's log, tagged with this plugin's id and process id.
   * Writing to {@code System.out} and {@code System.err} also reaches it, as plain lines.
   */
  Logger logger();

  /**
   * A directory private to this plugin, writable, that outlives restarts of the plugin JVM. The
   * plugin's temporary directory ({@code java.io.tmpdir}) is separate and may be emptied between
   * runs.
   */
  Path dataDirectory();

  /**
   * Registers a function that takes bytes and returns bytes.
   *
   * @param options what the plugin promises about the function, such as
   *     {@link FunctionOption#IDEMPOTENT}
   *
   * @throws IllegalArgumentException if the name is empty, too long (over 128 characters), or
   *     already registered
   * @throws IllegalStateException if called after {@link Plugin#start} returned
   */
  void register(String name, UnaryFunction function, FunctionOption... options);

  /** {@link #register(String, UnaryFunction, FunctionOption...)} with no options. */
  default void register(String name, UnaryFunction function) {
    register(name, function, new FunctionOption[0]);
  }

  /**
   * Registers a function that takes and returns text, as UTF-8 on the wire. Same contract as
   * {@link #register(String, UnaryFunction, FunctionOption...)}.
   */
  void registerText(String name, TextFunction function, FunctionOption... options);

  /** {@link #registerText(String, TextFunction, FunctionOption...)} with no options. */
  default void registerText(String name, TextFunction function) {
    registerText(name, function, new FunctionOption[0]);
  }

  /**
   * Registers a function that talks with its caller both ways over one {@link Pipe}. Same
   * contract as {@link #register(String, UnaryFunction, FunctionOption...)}.
   */
  void registerStreaming(String name, StreamingFunction function, FunctionOption... options);

  /** {@link #registerStreaming(String, StreamingFunction, FunctionOption...)} with no options. */
  default void registerStreaming(String name, StreamingFunction function) {
    registerStreaming(name, function, new FunctionOption[0]);
  }
}
