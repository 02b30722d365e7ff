package dev.pluginhost.host.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.RestartPolicy;
import dev.pluginhost.host.SandboxMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * Applies one block of plugin settings from the server's config file (the {@code defaults} block
 * or one plugin's block) to a {@link PluginSettings.Builder}, key by key. Every key must be known
 * and every value valid: the first that is not becomes a {@link ConfigFileException} naming the
 * file, line, key and what is wrong.
 */
final class SettingsReader {
  /** One setting: reads its value at {@code key} from {@code block} and applies it. */
  private interface Setting {
    void apply(Config block, String key, PluginSettings.Builder builder);
  }

  private static final Map<String, Setting> SETTINGS = new LinkedHashMap<>();

  static {
    SETTINGS.put("processes", (c, k, b) -> b.processes(c.getInt(k)));
    SETTINGS.put("warm-spares", (c, k, b) -> b.warmSpares(c.getInt(k)));
    SETTINGS.put("max-concurrent-calls-per-process", (c, k, b) -> b.maxConcurrentCallsPerProcess(c.getInt(k)));
    SETTINGS.put("max-queued-calls", (c, k, b) -> b.maxQueuedCalls(c.getInt(k)));
    SETTINGS.put("max-call-attempts", (c, k, b) -> b.maxCallAttempts(c.getInt(k)));
    SETTINGS.put("restart", (c, k, b) -> b.restartPolicy(enumValue(c, k, RestartPolicy.class)));
    SETTINGS.put("restart-intensity", (c, k, b) -> {
      Config intensity = strictBlock(c, k, "max-restarts", "window");
      b.restartIntensity(intensity.getInt("max-restarts"), intensity.getDuration("window"));
    });
    SETTINGS.put("restart-backoff", (c, k, b) -> {
      Config backoff = strictBlock(c, k, "initial", "max");
      b.restartBackoff(backoff.getDuration("initial"), backoff.getDuration("max"));
    });
    SETTINGS.put("start-timeout", (c, k, b) -> b.startTimeout(c.getDuration(k)));
    SETTINGS.put("call-time-limit", (c, k, b) -> b.callTimeLimit(c.getDuration(k)));
    SETTINGS.put("probe-interval", (c, k, b) -> b.probeInterval(c.getDuration(k)));
    SETTINGS.put("probe-timeout", (c, k, b) -> b.probeTimeout(c.getDuration(k)));
    SETTINGS.put("shutdown-grace", (c, k, b) -> b.shutdownGrace(c.getDuration(k)));
    SETTINGS.put("recycle-after-calls", (c, k, b) -> b.recycleAfterCalls(c.getLong(k)));
    SETTINGS.put("recycle-after-age", (c, k, b) -> b.recycleAfterAge(c.getDuration(k)));
    SETTINGS.put("sandbox", (c, k, b) -> b.sandbox(enumValue(c, k, SandboxMode.class)));
    SETTINGS.put("java", (c, k, b) -> b.javaExecutable(Path.of(c.getString(k))));
    SETTINGS.put("max-heap", (c, k, b) -> b.maxHeapMegabytes(megabytes(c, k)));
    SETTINGS.put("max-metaspace", (c, k, b) -> b.maxMetaspaceMegabytes(megabytes(c, k)));
    SETTINGS.put("max-direct-memory", (c, k, b) -> b.maxDirectMemoryMegabytes(megabytes(c, k)));
    SETTINGS.put("max-memory", (c, k, b) -> b.maxMemoryMegabytes(megabytes(c, k)));
    SETTINGS.put("thread-stack", (c, k, b) -> b.threadStackKilobytes(Math.toIntExact(c.getBytes(k) / 1024)));
    SETTINGS.put("max-message-size", (c, k, b) -> b.maxMessageBytes(Math.toIntExact(c.getBytes(k))));
    SETTINGS.put("active-processors", (c, k, b) -> b.activeProcessors(c.getInt(k)));
    SETTINGS.put("max-open-files", (c, k, b) -> b.maxOpenFiles(c.getInt(k)));
    SETTINGS.put("max-tasks", (c, k, b) -> b.maxTasks(c.getInt(k)));
    SETTINGS.put("cpu-time-limit", (c, k, b) -> b.cpuSecondsLimit(wholeSeconds(c, k)));
    SETTINGS.put("jvm-options", (c, k, b) -> b.addJvmOptions(c.getStringList(k).toArray(String[]::new)));
    SETTINGS.put("inherit-environment", (c, k, b) -> b.inheritEnvironment(c.getStringList(k).toArray(String[]::new)));
    SETTINGS.put("environment", (c, k, b) -> strings(c, k).forEach(b::environment));
    // A plugin's block replaces the defaults' grants, never adds to them: fewer is expressible.
    SETTINGS.put("grants", (c, k, b) -> b.grants(c.getStringList(k)));
    SETTINGS.put("refuse-host-properties", (c, k, b) -> b.refuseHostProperties(c.getBoolean(k)));
    SETTINGS.put("config", (c, k, b) -> strings(c, k).forEach(b::config));
  }

  private SettingsReader() {}

  /** The keys a settings block may hold, for error messages and the documentation test. */
  static java.util.Set<String> knownKeys() {
    return java.util.Collections.unmodifiableSet(SETTINGS.keySet());
  }

  /**
   * Applies every key of {@code block} (found at {@code path} in {@code file}) to {@code builder}.
   *
   * @throws ConfigFileException for an unknown key, a value of the wrong type, or one the
   *     settings refuse
   */
  static void apply(Path file, String path, Config block, PluginSettings.Builder builder) {
    for (Map.Entry<String, ConfigValue> entry : block.root().entrySet()) {
      String key = entry.getKey();
      String quoted = com.typesafe.config.ConfigUtil.quoteString(key);
      String fullKey = path + "." + key;
      Setting setting = SETTINGS.get(key);
      if (setting == null) {
        throw ConfigFileException.at(
            file, entry.getValue().origin(), fullKey,
            "is not a setting; the settings are " + String.join(", ", new TreeSet<>(SETTINGS.keySet())));
      }
      try {
        setting.apply(block, quoted, builder);
      } catch (ConfigException e) {
        throw ConfigFileException.at(file, entry.getValue().origin(), fullKey, ConfigFileException.withoutOrigin(e));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw ConfigFileException.at(file, entry.getValue().origin(), fullKey, e.getMessage());
      }
    }
  }

  private static <E extends Enum<E>> E enumValue(Config block, String key, Class<E> type) {
    String value = block.getString(key);
    try {
      return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      TreeSet<String> names = new TreeSet<>();
      for (E constant : type.getEnumConstants()) {
        names.add(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new IllegalArgumentException("'" + value + "' is not one of " + String.join(", ", names));
    }
  }

  /** A size such as {@code 256M} or {@code 1G}, in whole mebibytes (a bare number is bytes). */
  private static int megabytes(Config block, String key) {
    long bytes = block.getBytes(key);
    if (bytes % (1024 * 1024) != 0) {
      throw new IllegalArgumentException("must be a whole number of mebibytes, such as 256M, got " + bytes + " bytes");
    }
    return Math.toIntExact(bytes / (1024 * 1024));
  }

  /** A duration such as {@code 10m}, in whole seconds. */
  private static long wholeSeconds(Config block, String key) {
    Duration limit = block.getDuration(key);
    if (limit.toMillis() % 1000 != 0) {
      throw new IllegalArgumentException("must be whole seconds, such as 90s or 10m, got " + limit.toMillis() + " ms");
    }
    return limit.toSeconds();
  }

  /** An object of string values, such as {@code config { greeting = "Hi" }}. */
  private static Map<String, String> strings(Config block, String key) {
    ConfigObject object = block.getObject(key);
    Map<String, String> values = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigValue> entry : object.entrySet()) {
      ConfigValue value = entry.getValue();
      if (value.valueType() == ConfigValueType.OBJECT || value.valueType() == ConfigValueType.LIST
          || value.valueType() == ConfigValueType.NULL) {
        throw new IllegalArgumentException(
            "'" + entry.getKey() + "' must be a string, number or boolean, not " + value.valueType().name().toLowerCase(Locale.ROOT));
      }
      values.put(entry.getKey(), String.valueOf(value.unwrapped()));
    }
    return values;
  }

  /** A nested block that must hold exactly {@code keys}. */
  private static Config strictBlock(Config block, String key, String... keys) {
    Config nested = block.getConfig(key);
    java.util.Set<String> expected = java.util.Set.of(keys);
    for (String present : nested.root().keySet()) {
      if (!expected.contains(present)) {
        throw new IllegalArgumentException("'" + present + "' is not part of it; it holds " + String.join(" and ", keys));
      }
    }
    for (String needed : keys) {
      if (!nested.hasPath(needed)) {
        throw new IllegalArgumentException("'" + needed + "' is missing; it holds " + String.join(" and ", keys));
      }
    }
    return nested;
  }
}
