package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.ProcessLedger;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The host that {@link OrphanFigure} kills: a JVM of its own that runs every plugin in a folder
 * with one process each, prints {@code serving PID PID...} (the pids the host spawned) once every
 * plugin serves, and then waits to be killed. If its standard input ends first (the benchmark
 * died), it closes the host and exits.
 *
 * <p>Arguments: plugins directory, work directory, runner cache directory (or {@value
 * #DEFAULT_CACHE} for the host's default).
 */
public final class OrphanHostMain {
  static final String DEFAULT_CACHE = "default";

  private OrphanHostMain() {}

  public static void main(String[] args) throws Exception {
    PluginHost.Builder builder =
        PluginHost.builder()
            .pluginsDirectory(Path.of(args[0]))
            .workDirectory(Path.of(args[1]))
            .defaults(PluginSettings.builder().processes(1).build());
    if (!args[2].equals(DEFAULT_CACHE)) {
      builder.cacheDirectory(Path.of(args[2]));
    }
    PluginHost host = builder.build();
    try {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      List<Long> pids = new ArrayList<>();
      for (PluginHandle plugin : host.plugins()) {
        PluginWaits.settle(plugin, 1, 0, new ProcessLedger(), Duration.ZERO);
        pids.add(plugin.pid().orElseThrow());
      }
      System.out.println("serving " + pids.stream().map(String::valueOf).collect(Collectors.joining(" ")));
      System.out.flush();
      while (System.in.read() != -1) {
        // Wait for the kill; an end of input means the benchmark is gone.
      }
    } finally {
      host.close();
    }
    System.exit(0);
  }
}
