package dev.pluginhost.it.support;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A started host over some of the sample plugins, that on close stops it and then checks every
 * plugin process it ever saw is gone (killing and failing the test on any that is not).
 */
public final class RunningHost implements AutoCloseable {
  private final PluginHost host;
  private final Set<Long> pids = ConcurrentHashMap.newKeySet();

  private RunningHost(PluginHost host) {
    this.host = host;
  }

  /** Starts a host over the named samples, configured further by {@code config}. */
  public static RunningHost start(Path tempDir, UnaryOperator<PluginHost.Builder> config, String... plugins)
      throws IOException {
    PluginHost host =
        config
            .apply(
                PluginHost.builder()
                    // One process per plugin unless a test asks for a pool: fewer JVMs, and a
                    // crash then shows as the plugin restarting.
                    .defaults(PluginSettings.builder().processes(1).build())
                    .pluginsDirectory(SamplePlugins.select(tempDir, plugins))
                    .workDirectory(tempDir.resolve("work"))
                    .cacheDirectory(SamplePlugins.runnerCache()))
            .build();
    RunningHost running = new RunningHost(host);
    try {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
    } catch (Exception e) {
      running.close();
      throw new IllegalStateException("the host did not start", e);
    }
    for (PluginHandle plugin : host.plugins()) {
      // The listener first, so a process started while the others are read is not missed.
      plugin.addListener(
          event -> {
            if (event.pid() > 0) {
              running.pids.add(event.pid());
            }
          },
          MoreExecutors.directExecutor());
      plugin.pid().ifPresent(running.pids::add);
      // Every process of a pool (and any spare) is checked at close, not only the one pid() names.
      plugin.processes().forEach(process -> running.pids.add(process.pid()));
    }
    return running;
  }

  public static RunningHost start(Path tempDir, String... plugins) throws IOException {
    return start(tempDir, b -> b, plugins);
  }

  public PluginHost host() {
    return host;
  }

  public PluginHandle plugin(String id) {
    return host.plugin(id);
  }

  /** The pid of a plugin that is serving now; fails the test if it is not. */
  public long pidOf(String id) {
    PluginHandle plugin = host.plugin(id);
    if (plugin.state() != PluginState.RUNNING) {
      fail(id + " is " + plugin.state() + ", not RUNNING; last death: " + plugin.lastDeath());
    }
    long pid = plugin.pid().orElseThrow();
    pids.add(pid);
    return pid;
  }

  @Override
  public void close() {
    host.close();
    List<Long> survivors = new ArrayList<>();
    for (long pid : pids) {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty()) {
        continue;
      }
      try {
        process.get().onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception stillAlive) {
        process.get().descendants().forEach(ProcessHandle::destroyForcibly);
        process.get().destroyForcibly();
        survivors.add(pid);
      }
    }
    if (!survivors.isEmpty()) {
      fail("plugin processes outlived their host's close(): " + survivors);
    }
  }
}
