package dev.pluginhost.host.cli;

import com.google.common.util.concurrent.Service;
import dev.pluginhost.host.server.ConfigFileException;
import dev.pluginhost.host.server.HostServer;
import dev.pluginhost.host.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Runs a host server until SIGTERM or SIGINT, which drain and stop it cleanly. If the server is
 * killed outright (SIGKILL), its plugins notice their lifeline close and exit by themselves.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the host as a server: serves the plugins of a directory and the admin API the other",
      "commands use. Without --config it serves plugins/ and keeps its state in data/, both in the",
      "current directory, with the admin socket at data/admin.sock. SIGTERM drains and stops it.",
      "Exit codes: 0 stopped cleanly, 1 could not start (a bad config file says which file, line",
      "and key), 2 usage."
    })
final class ServeCommand implements Callable<Integer> {
  private static final Duration STOP_WITHIN = Duration.ofMinutes(3);

  @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "The server's config file (HOCON; see docs/pluginhost.conf).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    ServerConfig config;
    try {
      config = configFile != null ? ServerConfig.load(configFile) : ServerConfig.defaults(Path.of(""));
    } catch (ConfigFileException e) {
      System.err.println("pluginhost serve: bad config: " + e.getMessage());
      return 1;
    }
    HostServer server = new HostServer(config);
    Thread stopper =
        new Thread(
            () -> {
              Service.State state = server.state();
              if (state == Service.State.FAILED || state == Service.State.TERMINATED) {
                // Nothing to stop: it could not start (and said why), or it has stopped already.
                return;
              }
              // A shutdown hook writes to stderr, not to a logger, which may be stopping too.
              System.err.println("pluginhost serve: stopping (draining calls, stopping plugins)");
              try {
                server.stopAsync().awaitTerminated(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                System.err.println("pluginhost serve: stopped");
              } catch (Exception e) {
                System.err.println("pluginhost serve: did not stop cleanly: " + e);
              }
            },
            "pluginhost-serve-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      server.startAsync().awaitRunning();
    } catch (IllegalStateException e) {
      Throwable cause = server.failureCause() != null ? server.failureCause() : e;
      System.err.println("pluginhost serve: could not start: " + cause.getMessage());
      return 1;
    }
    System.out.println(
        "pluginhost serve: serving " + server.host().plugins().size() + " plugins from " + config.pluginsDirectory()
            + "; admin socket " + config.adminSocket()
            + (server.adminTcpPort() > 0 ? ", admin TCP 127.0.0.1:" + server.adminTcpPort() : ""));
    System.out.flush();
    server.awaitTerminated();
    return 0;
  }
}
