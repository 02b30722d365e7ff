package dev.pluginhost.host.cli;

import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a command reaches a running server's admin API, and how it prints: shared by every admin command. */
final class AdminOptions {
  /** Where the CLI looks when told nothing: beside a server started with its defaults here. */
  static final Path DEFAULT_SOCKET = Path.of("data", "admin.sock");

  @Option(
      names = "--admin",
      paramLabel = "SOCKET|tcp://127.0.0.1:PORT",
      description = "The server's admin API: its Unix socket, or its loopback TCP port (default: $PLUGINHOST_ADMIN, else data/admin.sock).")
  String admin;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "For --admin tcp://...: the file holding the server's admin token (default: $PLUGINHOST_ADMIN_TOKEN_FILE, else data/admin.token).")
  Path tokenFile;

  @Option(names = "--json", description = "Print JSON (one object per line for streams) instead of text for people.")
  boolean json;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = DurationConverter.class,
      description = "How long to wait for the server (default: ${DEFAULT-VALUE}); such as 500ms, 30s, 2m.")
  Duration timeout;

  /** Where the admin API is, from the option, the environment or the default. */
  String target() {
    return admin != null && !admin.isBlank() ? admin : fromEnvironment("PLUGINHOST_ADMIN", DEFAULT_SOCKET.toString());
  }

  /** The token file for a TCP target. */
  Path tokenFile() {
    return tokenFile != null ? tokenFile : Path.of(fromEnvironment("PLUGINHOST_ADMIN_TOKEN_FILE", "data/admin.token"));
  }

  private static String fromEnvironment(String name, String fallback) {
    String value = System.getenv(name);
    return value != null && !value.isBlank() ? value : fallback;
  }
}
