package dev.pluginhost.host.server;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;
import java.nio.file.Path;

/**
 * The server's config file is wrong: it says which file, which line, which key, and what is wrong
 * with it, in one sentence an operator can act on, such as {@code /etc/pluginhost.conf:12:
 * plugins.hello.processes: processes must be 1 to 256, got 0}.
 */
public final class ConfigFileException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ConfigFileException(String message) {
    super(message);
  }

  /** A problem with {@code key}, whose value was read from {@code origin} in {@code file}. */
  static ConfigFileException at(Path file, ConfigOrigin origin, String key, String problem) {
    int line = origin == null ? -1 : origin.lineNumber();
    String where = line > 0 ? file + ":" + line : file.toString();
    return new ConfigFileException(where + ": " + key + ": " + problem);
  }

  /** A problem with the file as a whole (it does not parse, or cannot be read). */
  static ConfigFileException of(Path file, ConfigException e) {
    ConfigOrigin origin = e.origin();
    int line = origin == null ? -1 : origin.lineNumber();
    String where = line > 0 ? file + ":" + line : file.toString();
    return new ConfigFileException(where + ": " + withoutOrigin(e));
  }

  /**
   * Typesafe Config's message without the origin it starts with ("file: 12: "), which the caller
   * puts in its own words.
   */
  static String withoutOrigin(ConfigException e) {
    String message = e.getMessage();
    ConfigOrigin origin = e.origin();
    if (origin != null && message.startsWith(origin.description())) {
      message = message.substring(origin.description().length());
      if (message.startsWith(":")) {
        message = message.substring(1);
      }
    }
    return message.trim();
  }
}
