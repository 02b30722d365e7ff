package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * A plugin's jars opened in a class loader of their own, with its descriptor read. No plugin code
 * has run yet: {@link #instantiate()} is the first time any does.
 */
final class LoadedPlugin {
  final String id;
  final String version;
  final URLClassLoader classLoader;

  private LoadedPlugin(String id, String version, URLClassLoader classLoader) {
    this.id = id;
    this.version = version;
    this.classLoader = classLoader;
  }

  /**
   * Opens the given jars (the plugin's own first) and reads the descriptor.
   *
   * @throws IllegalStateException naming what is missing or wrong
   */
  static LoadedPlugin open(String expectedId, List<String> classpath) throws IOException {
    if (classpath.isEmpty()) {
      throw new IllegalStateException("no plugin jar was given");
    }
    List<URL> urls = new ArrayList<>();
    for (String entry : classpath) {
      urls.add(toUrl(entry));
    }
    URLClassLoader loader =
        new URLClassLoader(
            "plugin-" + expectedId,
            urls.toArray(new URL[0]),
            new ApiOnlyClassLoader(LoadedPlugin.class.getClassLoader()));
    Properties descriptor = new Properties();
    URL descriptorUrl = loader.findResource(PluginApi.DESCRIPTOR_PATH);
    if (descriptorUrl == null) {
      throw new IllegalStateException(classpath.get(0) + " has no " + PluginApi.DESCRIPTOR_PATH);
    }
    try (InputStream in = descriptorUrl.openStream()) {
      descriptor.load(in);
    }
    String id = descriptor.getProperty("id", "").trim();
    if (!id.equals(expectedId)) {
      throw new IllegalStateException(
          "the plugin jar declares id '" + id + "' but the host started it as '" + expectedId + "'");
    }
    return new LoadedPlugin(id, descriptor.getProperty("version", "").trim(), loader);
  }

  /** Creates the one {@link Plugin} the jar registers through {@link ServiceLoader}. */
  Plugin instantiate() {
    List<Plugin> plugins = new ArrayList<>();
    try {
      for (Plugin plugin : ServiceLoader.load(Plugin.class, classLoader)) {
        plugins.add(plugin);
      }
    } catch (ServiceConfigurationError e) {
      throw new IllegalStateException("cannot create the plugin's entry class: " + e.getMessage(), e);
    }
    if (plugins.size() != 1) {
      throw new IllegalStateException(
          "expected exactly one entry class in META-INF/services/"
              + Plugin.class.getName()
              + ", found "
              + plugins.size());
    }
    return plugins.get(0);
  }

  private static URL toUrl(String path) throws MalformedURLException {
    return Path.of(path).toUri().toURL();
  }
}
