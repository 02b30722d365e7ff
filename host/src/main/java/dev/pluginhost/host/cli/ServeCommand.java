package dev.pluginhost.host.cli;

import com.google.common.util.concurrent.Service;
import dev.pluginhost.host.server.ConfigFileException;
import dev.pluginhost.host.server.HostServer;
import dev.pluginhost.host.server.ServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import sun.misc.Signal;

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
      "and key) or did not stop cleanly, 2 usage."
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
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicBoolean stopped = new AtomicBoolean();
    // SIGTERM and SIGINT ask the server to stop and leave it to this thread to report how that
    // went, so that serve exits 0 when it stopped cleanly, as its help says. Left to the JVM they
    // would run the shutdown hook below and then exit 143 or 130 regardless, which service
    // managers such as systemd count as a failure.
    for (String name : List.of("TERM", "INT")) {
      try {
        Signal.handle(new Signal(name), signal -> {
          if (stopping.compareAndSet(false, true)) {
            System.err.println("pluginhost serve: stopping (draining calls, stopping plugins)");
          }
          server.stopAsync();
        });
      } catch (IllegalArgumentException e) {
        // The JVM keeps this signal to itself (-Xrs and the like): the shutdown hook handles it.
      }
    }
    // For every other way the JVM may end (SIGHUP, System.exit elsewhere).
    Thread stopper =
        new Thread(
            () -> {
              Service.State state = server.state();
              if (state == Service.State.FAILED || state == Service.State.TERMINATED) {
                // Nothing to stop: it could not start (and said why), or it has stopped already.
                return;
              }
              // A shutdown hook writes to stderr, not to a logger, which may be stopping too.
              if (stopping.compareAndSet(false, true)) {
                System.err.println("pluginhost serve: stopping (draining calls, stopping plugins)");
              }
              try {
                server.stopAsync().awaitTerminated(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
                if (stopped.compareAndSet(false, true)) {
                  System.err.println("pluginhost serve: stopped");
                }
              } catch (Exception e) {
                System.err.println("pluginhost serve: did not stop cleanly: " + e);
              }
            },
            "pluginhost-serve-stop");
    Runtime.getRuntime().addShutdownHook(stopper);
    try {
      server.startAsync().awaitRunning();
    } catch (IllegalStateException e) {
      if (stopping.get() && server.failureCause() == null) {
        // Asked to stop while it was starting: it stops once started, and that is a clean stop.
        return awaitStopped(server, stopped);
      }
      Throwable cause = server.failureCause() != null ? server.failureCause() : e;
      System.err.println("pluginhost serve: could not start: " + cause.getMessage());
      return 1;
    }
    System.out.println(
        "pluginhost serve: serving " + server.host().plugins().size() + " plugins from " + config.pluginsDirectory()
            + "; admin socket " + config.adminSocket()
            + (server.adminTcpPort() > 0 ? ", admin TCP 127.0.0.1:" + server.adminTcpPort() : ""));
    System.out.flush();
    return awaitStopped(server, stopped);
  }

  /** Waits until {@code server} has stopped; 0 if it stopped cleanly, else 1, saying why. */
  private static int awaitStopped(HostServer server, AtomicBoolean stopped) {
    try {
      server.awaitTerminated();
    } catch (IllegalStateException e) {
      Throwable cause = server.failureCause() != null ? server.failureCause() : e;
      System.err.println("pluginhost serve: did not stop cleanly: " + cause);
      return 1;
    }
    if (stopped.compareAndSet(false, true)) {
      System.err.println("pluginhost serve: stopped");
    }
    return 0;
  }
}
