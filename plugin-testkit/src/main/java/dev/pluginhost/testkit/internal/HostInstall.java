package dev.pluginhost.testkit.internal;

import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginChangeException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.testkit.PluginStartException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Installing a plugin into the child-JVM mode's host: the plugin's code in a form the host takes,
 * the wait for its first process, and why it did not come up. Only that mode loads this class.
 */
public final class HostInstall {
  /** How long past the start timeout the kit waits for the first processes to serve. */
  private static final Duration START_SLACK = Duration.ofSeconds(30);

  private HostInstall() {}

  /** The plugin at {@code path}, or a PluginStartException saying why it is none. */
  public static PluginSource open(Path path) throws IOException {
    try {
      return PluginSource.open(path).checked();
    } catch (IllegalArgumentException e) {
      throw new PluginStartException("the plugin at " + path + " cannot be installed: " + e.getMessage(), e);
    }
  }

  /**
   * The path to install: the source itself when the host takes it as it is, otherwise a plugin
   * folder made under {@code directory}: the plugin's jar (packed from its classes if need be)
   * and {@code lib/} with its libraries and the extra ones.
   */
  public static Path installable(PluginSource plugin, List<Path> extraLibraries, Path directory) throws IOException {
    if (plugin.kind() != PluginSource.Kind.CLASSES && extraLibraries.isEmpty()) {
      return plugin.path();
    }
    Path folder = Files.createDirectories(directory.resolve(plugin.id()));
    Path jar = folder.resolve(plugin.id() + ".jar");
    if (plugin.kind() == PluginSource.Kind.CLASSES) {
      TempFiles.packJar(plugin.pluginJarOrClasses(), jar);
    } else {
      Files.copy(plugin.pluginJarOrClasses(), jar);
    }
    List<Path> libraries = new ArrayList<>(plugin.libraries());
    libraries.addAll(extraLibraries);
    if (!libraries.isEmpty()) {
      Path lib = Files.createDirectories(folder.resolve("lib"));
      for (Path library : libraries) {
        Files.copy(library, lib.resolve(library.getFileName()));
      }
    }
    return folder;
  }

  public static PluginHandle install(PluginHost host, Path installable, Duration startTimeout) {
    Future<PluginHandle> installed = host.installAsync(installable);
    PluginHandle handle;
    try {
      handle = installed.get(startTimeout.plus(START_SLACK).toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      Throwable why = e.getCause();
      throw new PluginStartException(
          why instanceof PluginChangeException ? why.getMessage() : "the host could not install " + installable + ": " + why, why);
    } catch (TimeoutException e) {
      installed.cancel(true);
      throw new PluginStartException(
          "the plugin at " + installable + " did not serve within its " + startTimeout.toMillis() + " ms start timeout"
              + " and " + START_SLACK.toSeconds() + " s more",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new PluginStartException("interrupted while the plugin at " + installable + " started", e);
    }
    if (handle.state() != PluginState.RUNNING) {
      throw new PluginStartException(notStarted(handle), null);
    }
    return handle;
  }

  /** Why a plugin did not start, as a person needs it: its state, how it died, what it wrote. */
  public static String notStarted(PluginHandle handle) {
    StringBuilder message =
        new StringBuilder("plugin ").append(handle.id()).append(" did not start in a child JVM; it is ").append(handle.state());
    handle.lastDeath().ifPresent(death -> message.append(": ").append(death.summary()));
    List<OutputLine> output = handle.recentOutput(30);
    if (!output.isEmpty()) {
      message.append("\nits last output:");
      output.forEach(line -> message.append("\n  ").append(line.text()));
    }
    return message.toString();
  }

  public static void closeQuietly(PluginHost host, Path root) {
    try {
      if (host != null) {
        host.close();
      }
    } catch (RuntimeException e) {
      System.err.println("pluginhost-testkit: the host did not stop cleanly: " + e);
    } finally {
      TempFiles.deleteQuietly(root);
    }
  }
}
