package dev.pluginhost.bench.baseline;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.UnaryFunction;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A plugin loaded and started inside this JVM, without isolation: its jars in a class loader of
 * their own (seeing only the plugin API of this JVM), its one {@link Plugin} started with a
 * {@link CapturingPluginContext}, its functions callable directly.
 *
 * <p>Created started; {@link #close()} runs the plugin's stop hook, closes the class loader and
 * deletes the data directory, and is idempotent. Functions may be called from any thread, as the
 * API allows, until close.
 */
public final class InProcessPlugin implements AutoCloseable {
  private final Plugin plugin;
  private final URLClassLoader loader;
  private final CapturingPluginContext context;
  private final Path dataDirectory;
  private final Map<String, UnaryFunction> functions;
  private boolean closed;

  private InProcessPlugin(Plugin plugin, URLClassLoader loader, CapturingPluginContext context, Path dataDirectory) {
    this.plugin = plugin;
    this.loader = loader;
    this.context = context;
    this.dataDirectory = dataDirectory;
    this.functions = context.unaryFunctions();
  }

  /**
   * Loads the plugin from {@code jars} (its own jar first, which must hold the descriptor and the
   * one entry in {@code META-INF/services}), and runs its start hook on this thread.
   *
   * @throws IllegalStateException if the jars hold no descriptor or not exactly one entry class
   * @throws Exception whatever the start hook threw; nothing is left open then
   */
  public static InProcessPlugin start(List<Path> jars) throws Exception {
    if (jars.isEmpty()) {
      throw new IllegalArgumentException("no plugin jar was given");
    }
    List<URL> urls = new ArrayList<>();
    for (Path jar : jars) {
      if (!Files.isRegularFile(jar)) {
        throw new IllegalStateException("no plugin jar at " + jar);
      }
      urls.add(jar.toUri().toURL());
    }
    URLClassLoader loader =
        new URLClassLoader(
            "inprocess-plugin", urls.toArray(new URL[0]), new ApiOnlyParentLoader(InProcessPlugin.class.getClassLoader()));
    Path dataDirectory = null;
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    try {
      Properties descriptor = descriptor(loader, jars.get(0));
      dataDirectory = Files.createTempDirectory("pluginhost-inprocess-");
      CapturingPluginContext context =
          new CapturingPluginContext(
              descriptor.getProperty("id", "").trim(), descriptor.getProperty("version", "").trim(), dataDirectory);
      Plugin plugin = onlyPlugin(loader);
      thread.setContextClassLoader(loader);
      plugin.start(context);
      context.seal();
      return new InProcessPlugin(plugin, loader, context, dataDirectory);
    } catch (Exception | Error e) {
      loader.close();
      if (dataDirectory != null) {
        deleteQuietly(dataDirectory);
      }
      throw e;
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  /** The plugin's id, from its descriptor. */
  public String pluginId() {
    return context.pluginId();
  }

  /** Every function name the plugin registered, unary, text or streaming. */
  public Set<String> functionNames() {
    return context.names();
  }

  /**
   * The unary or text function registered as {@code name}, to call directly. A text function
   * comes wrapped as the runner wraps it, taking and returning UTF-8 bytes.
   *
   * @throws IllegalArgumentException if the plugin registered no such unary or text function
   */
  public UnaryFunction function(String name) {
    UnaryFunction function = functions.get(name);
    if (function == null) {
      throw new IllegalArgumentException(
          "plugin " + pluginId() + " has no unary function " + name + "; it has " + functionNames());
    }
    return function;
  }

  /** Stops the plugin and releases its loader and data directory. Idempotent. */
  @Override
  public synchronized void close() throws Exception {
    if (closed) {
      return;
    }
    closed = true;
    try {
      plugin.stop();
    } finally {
      loader.close();
      deleteQuietly(dataDirectory);
    }
  }

  private static Properties descriptor(URLClassLoader loader, Path firstJar) throws IOException {
    URL url = loader.findResource(PluginApi.DESCRIPTOR_PATH);
    if (url == null) {
      throw new IllegalStateException(firstJar + " has no " + PluginApi.DESCRIPTOR_PATH);
    }
    Properties descriptor = new Properties();
    try (InputStream in = url.openStream()) {
      descriptor.load(in);
    }
    return descriptor;
  }

  private static Plugin onlyPlugin(ClassLoader loader) {
    List<Plugin> plugins = new ArrayList<>();
    ServiceLoader.load(Plugin.class, loader).forEach(plugins::add);
    if (plugins.size() != 1) {
      throw new IllegalStateException(
          "expected exactly one entry class in META-INF/services/" + Plugin.class.getName() + ", found " + plugins.size());
    }
    return plugins.get(0);
  }

  private static void deleteQuietly(Path directory) {
    try {
      MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      System.err.println("could not delete " + directory + ": " + e);
    }
  }
}
