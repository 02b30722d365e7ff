package dev.pluginhost.plugin.api;

import java.lang.System.Logger;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * What the host gives a plugin at start: who it is, its configuration, a logger, a place to keep
 * files, the means to register functions, and the host services it was granted.
 *
 * <p>Registration is allowed only during {@link Plugin#start}; afterwards the register methods
 * throw {@link IllegalStateException}. Names are unique per plugin: registering a name twice
 * throws {@link IllegalArgumentException}. Every other method may be called from any thread at any
 * time, including after the start hook returned, from the plugin's functions.
 *
 * <p>Host services ({@link #log()}, {@link #store()}, {@link #locks()}, {@link #plugins()},
 * {@link #service(String)}) are what a plugin may ask of its host, each only if the host granted
 * it by name in the plugin's settings; without the grant every use fails with a {@link
 * HostServiceException} whose code is PERMISSION_DENIED and which names the grant. Since API 1.3.
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
   * The configuration value under {@code key}, for settings the plugin cannot work without.
   *
   * @throws IllegalStateException if the host passed no such setting. The message says why a
   *     value the application has is still not here: a plugin JVM inherits nothing from its host
   *     (no globals, system properties, environment or open files; it is spawned, never forked),
   *     so what it needs must be passed in its configuration.
   */
  default String requireConfig(String key) {
    String value = config().get(key);
    if (value == null) {
      throw new IllegalStateException(
          "plugin " + pluginId() + " has no configuration value '" + key + "': a plugin JVM inherits nothing from"
              + " its host (no globals, system properties, environment or open files: it is spawned, not forked);"
              + " pass it in the plugin's config (settings: config { " + key + " = ... })");
    }
    return value;
  }

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
   * What the host granted this plugin ({@code log}, {@code kv}, {@code call:ID}...); empty by
   * default. The default implementation, for contexts made outside a host (test fakes), grants
   * nothing.
   */
  default Set<String> grants() {
    return Set.of();
  }

  /**
   * Structured, tagged records for the host's log; needs the grant {@code log}. The default
   * implementation refuses, as a host does without the grant.
   */
  default StructuredLog log() {
    return (level, message, fields) -> {
      throw HostServiceException.denied(pluginId(), "log");
    };
  }

  /** The plugin's key-value store, kept by the host; needs the grant {@code kv}. The default refuses. */
  default KeyValueStore store() {
    throw HostServiceException.denied(pluginId(), "kv");
  }

  /** Named locks shared by the plugin's processes; needs the grant {@code locks}. The default refuses. */
  default Locks locks() {
    throw HostServiceException.denied(pluginId(), "locks");
  }

  /** Calls to other plugins of this host; each needs the grant {@code call:ID}. The default refuses. */
  default PluginCalls plugins() {
    throw HostServiceException.denied(pluginId(), "call:*");
  }

  /**
   * The embedding application's service registered as {@code name}; using it needs the grant
   * {@code service:NAME}. Never fails itself: a missing grant or service shows at the first call.
   * The default refuses every call.
   */
  default ServiceClient service(String name) {
    return new ServiceClient() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public byte[] call(String method, byte[] request, java.time.Duration timeout) {
        throw HostServiceException.denied(pluginId(), "service:" + name);
      }
    };
  }

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
