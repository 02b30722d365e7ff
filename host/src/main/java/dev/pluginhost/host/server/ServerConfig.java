package dev.pluginhost.host.server;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.pluginhost.host.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a host server runs: where its plugins and its state are, where its admin socket listens,
 * and each plugin's settings. Read from a HOCON file (see {@code docs/pluginhost.conf} for every
 * key, commented), or the built-in defaults when there is none.
 *
 * @param file the file it was read from, if any
 * @param pluginsDirectory where the plugin jars are
 * @param dataDirectory where the server keeps its state and each plugin's data directory
 * @param adminSocket the admin API's Unix socket
 * @param adminTcpPort a loopback TCP port for the admin API as well, 0 for none
 * @param adminTokenFile where the token callers of the TCP port must present is written (0600)
 * @param defaults settings of every plugin that has no block of its own
 * @param plugins settings of the plugins that have a block, the defaults changed by it
 */
public record ServerConfig(
    Optional<Path> file,
    Path pluginsDirectory,
    Path dataDirectory,
    Path adminSocket,
    int adminTcpPort,
    Path adminTokenFile,
    PluginSettings defaults,
    Map<String, PluginSettings> plugins) {

  /** Unix socket paths are limited to 108 bytes with the terminating NUL. */
  static final int MAX_SOCKET_PATH_BYTES = 107;

  private static final Set<String> TOP_LEVEL = Set.of("plugins-directory", "data-directory", "admin", "defaults", "plugins");
  private static final Set<String> ADMIN = Set.of("socket", "tcp-port", "token-file");

  public ServerConfig {
    plugins = Map.copyOf(plugins);
  }

  /**
   * The built-in defaults: plugins from {@code plugins/} and state in {@code data/}, both under
   * {@code base} (the server's working directory), the admin socket at {@code data/admin.sock}.
   */
  public static ServerConfig defaults(Path base) {
    return load(Optional.empty(), base.toAbsolutePath(), ConfigFactory.empty());
  }

  /**
   * Reads {@code file}. Relative paths in it are relative to the file's own directory.
   *
   * @throws ConfigFileException naming the file, line, key and what is wrong, when it cannot be
   *     read, does not parse, or holds an unknown key or a value the settings refuse
   */
  public static ServerConfig load(Path file) {
    Path absolute = file.toAbsolutePath();
    if (!Files.isRegularFile(absolute)) {
      throw new ConfigFileException(absolute + ": no such file");
    }
    Config config;
    try {
      String text = Files.readString(absolute, StandardCharsets.UTF_8);
      config =
          ConfigFactory.parseString(
              text,
              ConfigParseOptions.defaults()
                  .setSyntax(ConfigSyntax.CONF)
                  .setOriginDescription(absolute.toString())
                  .setAllowMissing(false));
      // ${VAR} substitutions may name environment variables, as HOCON allows.
      config = config.resolve();
    } catch (ConfigException e) {
      throw ConfigFileException.of(absolute, e);
    } catch (java.io.IOException e) {
      throw new ConfigFileException(absolute + ": cannot be read: " + e.getMessage());
    }
    return load(Optional.of(absolute), absolute.getParent(), config);
  }

  private static ServerConfig load(Optional<Path> file, Path base, Config config) {
    Path where = file.orElse(base.resolve("(built-in defaults)"));
    onlyKeys(where, config, "", TOP_LEVEL);
    Path plugins = path(where, config, "", "plugins-directory", base, base.resolve("plugins"));
    Path data = path(where, config, "", "data-directory", base, base.resolve("data"));
    Config admin = block(where, config, "admin");
    onlyKeys(where, admin, "admin.", ADMIN);
    Path socket = path(where, admin, "admin.", "socket", base, data.resolve("admin.sock"));
    if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
      throw ConfigFileException.at(
          where, admin.hasPath("socket") ? admin.getValue("socket").origin() : null, "admin.socket",
          socket + " is longer than the " + MAX_SOCKET_PATH_BYTES + " bytes a Unix socket path may have;"
              + " choose a shorter one");
    }
    int port = 0;
    if (admin.hasPath("tcp-port")) {
      try {
        port = admin.getInt("tcp-port");
      } catch (ConfigException e) {
        throw ConfigFileException.at(where, admin.getValue("tcp-port").origin(), "admin.tcp-port", ConfigFileException.withoutOrigin(e));
      }
      if (port < 0 || port > 65535) {
        throw ConfigFileException.at(where, admin.getValue("tcp-port").origin(), "admin.tcp-port", "must be 0 (off) to 65535, got " + port);
      }
    }
    Path tokenFile = path(where, admin, "admin.", "token-file", base, data.resolve("admin.token"));

    PluginSettings.Builder defaults = PluginSettings.builder();
    SettingsReader.apply(where, "defaults", block(where, config, "defaults"), defaults);
    PluginSettings defaultSettings = defaults.build();
    Map<String, PluginSettings> perPlugin = new LinkedHashMap<>();
    Config pluginBlocks = block(where, config, "plugins");
    for (Map.Entry<String, ConfigValue> entry : pluginBlocks.root().entrySet()) {
      String id = entry.getKey();
      if (entry.getValue().valueType() != ConfigValueType.OBJECT) {
        throw ConfigFileException.at(where, entry.getValue().origin(), "plugins." + id, "must be a block of settings, { ... }");
      }
      PluginSettings.Builder settings = defaultSettings.toBuilder();
      SettingsReader.apply(where, "plugins." + id, pluginBlocks.getConfig(com.typesafe.config.ConfigUtil.quoteString(id)), settings);
      perPlugin.put(id, settings.build());
    }
    return new ServerConfig(file, plugins, data, socket, port, tokenFile, defaultSettings, perPlugin);
  }

  private static void onlyKeys(Path file, Config block, String prefix, Set<String> allowed) {
    for (Map.Entry<String, ConfigValue> entry : block.root().entrySet()) {
      if (!allowed.contains(entry.getKey())) {
        throw ConfigFileException.at(
            file, entry.getValue().origin(), prefix + entry.getKey(),
            "is not a known key here; the keys are " + String.join(", ", new TreeSet<>(allowed)));
      }
    }
  }

  private static Config block(Path file, Config config, String key) {
    if (!config.hasPath(key)) {
      return ConfigFactory.empty();
    }
    try {
      return config.getConfig(key);
    } catch (ConfigException e) {
      throw ConfigFileException.at(file, config.getValue(key).origin(), key, "must be a block, { ... }");
    }
  }

  /** The path at {@code key}, relative to {@code base}; {@code fallback} when there is none. */
  private static Path path(Path file, Config block, String prefix, String key, Path base, Path fallback) {
    if (!block.hasPath(key)) {
      return fallback.normalize();
    }
    try {
      return base.resolve(block.getString(key)).toAbsolutePath().normalize();
    } catch (ConfigException e) {
      throw ConfigFileException.at(file, block.getValue(key).origin(), prefix + key, ConfigFileException.withoutOrigin(e));
    } catch (java.nio.file.InvalidPathException e) {
      throw ConfigFileException.at(file, block.getValue(key).origin(), prefix + key, "is not a valid path: " + e.getMessage());
    }
  }
}
