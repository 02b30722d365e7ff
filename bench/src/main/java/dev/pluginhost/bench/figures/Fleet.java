package dev.pluginhost.bench.figures;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A host running many copies of the {@code squares} sample (ids {@code squares-000}, ...), one
 * process each, started all at once, with when each began to serve. Closing it closes the host.
 */
final class Fleet implements AutoCloseable {
  final PluginHost host;
  final List<PluginHandle> plugins;
  /** From {@code startAsync()} to each plugin's first RUNNING, in ms. */
  final Samples ready;
  /** From {@code startAsync()} to {@code awaitRunning()} returning, in ms. */
  final double started;
  /** From {@code startAsync()} to every plugin having answered a call, in ms. */
  final double answered;

  private Fleet(PluginHost host, List<PluginHandle> plugins, Samples ready, double started, double answered) {
    this.host = host;
    this.plugins = plugins;
    this.ready = ready;
    this.started = started;
    this.answered = answered;
  }

  /**
   * Starts a host with {@code count} copies of squares, waits until every one has answered a call
   * and settled, and returns it. Closes the host if that fails.
   */
  static Fleet start(FigureContext context, String name, int count, PluginSettings settings) throws Exception {
    Path plugins = context.newDirectory("plugins-" + name);
    PluginCopies.copies(context.sampleJar("squares"), plugins, "squares", count);
    Map<String, Long> runningAt = new ConcurrentHashMap<>();
    PluginHost host =
        context.hostBuilder(name, plugins)
            .defaults(settings)
            .addListener(
                event -> {
                  context.ledger().add(event.pid());
                  if (event.to() == PluginState.RUNNING) {
                    runningAt.putIfAbsent(event.pluginId(), System.nanoTime());
                  }
                },
                directExecutor())
            .build();
    try {
      long start = System.nanoTime();
      host.startAsync().awaitRunning(Duration.ofMinutes(10));
      double started = (System.nanoTime() - start) / 1e6;
      List<PluginHandle> handles = host.plugins();
      if (handles.size() != count) {
        throw new IllegalStateException("the host found " + handles.size() + " plugins of " + count + ": " + host.problems());
      }
      for (PluginHandle plugin : handles) {
        context.watch(plugin);
        PluginWaits.squareOfSevenSource(plugin.callText("square", "7", Duration.ofMinutes(5)));
      }
      double answered = (System.nanoTime() - start) / 1e6;
      Samples ready = new Samples("start to each plugin serving");
      runningAt.values().forEach(at -> ready.add((at - start) / 1e6));
      for (PluginHandle plugin : handles) {
        PluginWaits.settle(plugin, 1, 0, context.ledger(), Duration.ZERO);
      }
      return new Fleet(host, handles, ready, started, answered);
    } catch (Exception | Error e) {
      host.close();
      throw e;
    }
  }

  @Override
  public void close() {
    host.close();
  }
}
