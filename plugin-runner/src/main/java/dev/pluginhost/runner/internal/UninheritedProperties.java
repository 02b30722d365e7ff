package dev.pluginhost.runner.internal;

import java.util.Properties;
import java.util.Set;

/**
 * The plugin JVM's system properties, which fail loudly where a forked child would have shared its
 * parent's: reading a property this JVM does not have but the host's application set (by name,
 * from the bootstrap) throws, instead of returning null or the caller's default as if the
 * application had never set it. Properties this JVM has read as usual, and so does every other
 * name.
 */
public final class UninheritedProperties extends Properties {
  private static final long serialVersionUID = 1L;
  private final String pluginId;
  private final transient Set<String> hostOnly;

  private UninheritedProperties(Properties own, String pluginId, Set<String> hostOnly) {
    this.pluginId = pluginId;
    this.hostOnly = Set.copyOf(hostOnly);
    putAll(own);
  }

  /** Replaces the JVM's system properties with a guarded copy. Call before any plugin code runs. */
  public static void install(String pluginId, Set<String> hostOnly) {
    if (!hostOnly.isEmpty()) {
      System.setProperties(new UninheritedProperties(System.getProperties(), pluginId, hostOnly));
    }
  }

  @Override
  public String getProperty(String key) {
    String value = super.getProperty(key);
    if (value == null && hostOnly.contains(key)) {
      throw new IllegalStateException(
          "plugin " + pluginId + " read system property '" + key + "', which its host's application set: a plugin"
              + " JVM inherits none of its host's globals (it is spawned, not forked); pass the value in the plugin's"
              + " config (settings: config { ... }) or give the plugin its own with -D" + key + "=... in its jvm-options");
    }
    return value;
  }
}
