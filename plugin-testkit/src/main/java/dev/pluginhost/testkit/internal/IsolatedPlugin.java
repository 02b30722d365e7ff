package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.Plugin;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A plugin's code opened in this JVM as the runner opens it in its own: its jars (or classes) in a
 * class loader of their own under an {@link ApiOnlyClassLoader}, and its one entry class created
 * through {@link ServiceLoader}. The caller closes {@link #loader()}.
 */
public final class IsolatedPlugin {
  private final URLClassLoader loader;
  private final Plugin instance;

  private IsolatedPlugin(URLClassLoader loader, Plugin instance) {
    this.loader = loader;
    this.instance = instance;
  }

  /**
   * Opens {@code source} with {@code extraLibraries} after its own, and creates its entry class.
   *
   * @throws IllegalStateException if there is not exactly one entry class, or it cannot be created
   */
  public static IsolatedPlugin open(PluginSource source, List<Path> extraLibraries) throws IOException {
    List<URL> urls = new ArrayList<>();
    for (Path entry : source.classpath()) {
      urls.add(entry.toUri().toURL());
    }
    for (Path entry : extraLibraries) {
      urls.add(entry.toAbsolutePath().toUri().toURL());
    }
    URLClassLoader loader =
        new URLClassLoader(
            "plugin-" + source.id(), urls.toArray(new URL[0]), new ApiOnlyClassLoader(Plugin.class.getClassLoader()));
    try {
      return new IsolatedPlugin(loader, instantiate(loader));
    } catch (RuntimeException | Error e) {
      loader.close();
      throw e;
    }
  }

  private static Plugin instantiate(ClassLoader loader) {
    List<Plugin> plugins = new ArrayList<>();
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(loader);
    try {
      for (Plugin plugin : ServiceLoader.load(Plugin.class, loader)) {
        plugins.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("cannot create the plugin's entry class: " + e.getMessage(), e);
    } finally {
      thread.setContextClassLoader(previous);
    }
    if (plugins.size() != 1) {
      throw new IllegalStateException(
          "expected exactly one entry class in META-INF/services/" + Plugin.class.getName() + ", found " + plugins.size());
    }
    return plugins.get(0);
  }

  public URLClassLoader loader() {
    return loader;
  }

  public Plugin instance() {
    return instance;
  }
}
