package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.testkit.InProcessPlugin;
import dev.pluginhost.testkit.PluginStartException;
import dev.pluginhost.testkit.PluginUnderTest;
import dev.pluginhost.testkit.TestService;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One run of a plugin in this JVM, from start to stop, as the runner runs one in its own: the
 * plugin loaded (or taken as given), its host services and other plugins set up, its start hook
 * run on a kit thread within the start timeout, and at the end its stop hook and the calls still
 * running given the shutdown grace, then everything released.
 */
public final class LocalPluginRun {
  /** What the test asked for; the builder of {@link InProcessPlugin} checked each value. */
  public record Settings(
      Plugin instance,
      Class<? extends Plugin> type,
      Path source,
      List<Path> libraries,
      String id,
      String version,
      Map<String, String> config,
      Set<String> grants,
      Path dataDirectory,
      Duration callTimeout,
      Duration startTimeout,
      Duration shutdownGrace,
      int maxMessageBytes,
      Map<String, byte[]> storeEntries,
      Map<String, Object> others,
      Map<String, TestService> services) {}

  private final Settings settings;
  private String id;
  private String version;
  private Plugin plugin;
  private ClassLoader pluginLoader;
  private URLClassLoader ownedLoader;
  private Path dataDirectory;
  private boolean ownsDataDirectory;
  private ExecutorService executor;
  private ExecutorService ioThread;
  private final FunctionRegistry functions = new FunctionRegistry();
  private LocalCalls calls;
  private MemoryStore store;
  private CapturedLog log;
  private LocalPluginContext context;
  private final List<PluginUnderTest> ownedOthers = new ArrayList<>();

  private LocalPluginRun(Settings settings) {
    this.settings = settings;
  }

  /**
   * Starts the plugin: its other plugins first, then its start hook. Registration ends when the
   * hook returns.
   *
   * @throws PluginStartException if the plugin cannot be loaded, or its start hook threw or
   *     overran; everything set up is released then, and an overrunning hook's thread interrupted
   *     (a hook that ignores that runs on until it returns)
   * @throws IllegalArgumentException if a seeded store entry breaks the store's limits
   */
  public static LocalPluginRun start(Settings settings, String defaultId, String defaultVersion) {
    LocalPluginRun run = new LocalPluginRun(settings);
    try {
      run.load(defaultId, defaultVersion);
      run.setUp();
      run.runStartHook();
      return run;
    } catch (IOException e) {
      run.release();
      throw new PluginStartException("plugin " + (run.id != null ? run.id : "at " + settings.source()) + " cannot be set up: " + e, e);
    } catch (RuntimeException | Error e) {
      run.release();
      throw e;
    }
  }

  private void load(String defaultId, String defaultVersion) throws IOException {
    Optional<PluginSource> descriptor;
    if (settings.source() != null) {
      PluginSource opened;
      IsolatedPlugin isolated;
      try {
        opened = PluginSource.open(settings.source()).checked();
        isolated = IsolatedPlugin.open(opened, settings.libraries());
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw new PluginStartException("the plugin at " + settings.source() + " cannot be loaded: " + e.getMessage(), e);
      }
      plugin = isolated.instance();
      ownedLoader = isolated.loader();
      pluginLoader = isolated.loader();
      descriptor = Optional.of(opened);
    } else {
      Class<? extends Plugin> type = settings.instance() != null ? settings.instance().getClass() : settings.type();
      descriptor = Descriptors.near(type);
      if (descriptor.isPresent()) {
        try {
          descriptor.get().checked();
        } catch (IllegalArgumentException e) {
          // The plugin's own descriptor, from its target/classes or jar: a host would refuse it.
          throw new PluginStartException(
              "the descriptor beside " + type.getName() + " (in " + descriptor.get().path() + ") is not one a host"
                  + " takes: " + e.getMessage(),
              e);
        }
      }
      plugin = settings.instance() != null ? settings.instance() : instantiate(type);
      pluginLoader = plugin.getClass().getClassLoader();
    }
    id = settings.id() != null ? settings.id() : descriptor.map(PluginSource::id).orElse(defaultId);
    version = settings.version() != null ? settings.version() : descriptor.map(PluginSource::version).orElse(defaultVersion);
  }

  private static Plugin instantiate(Class<? extends Plugin> type) {
    try {
      return type.getConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      Throwable why = e instanceof java.lang.reflect.InvocationTargetException ? e.getCause() : e;
      throw new PluginStartException(
          "cannot create the plugin's entry class " + type.getName() + " (it needs a public no-argument constructor): " + why, why);
    }
  }

  private void setUp() throws IOException {
    if (settings.dataDirectory() != null) {
      dataDirectory = Files.createDirectories(settings.dataDirectory());
    } else {
      dataDirectory = Files.createTempDirectory("pluginhost-testkit-" + id + "-");
      ownsDataDirectory = true;
    }
    executor = Executors.newCachedThreadPool(threads(id));
    ioThread = IoThread.start(id);
    calls = new LocalCalls(id, functions, executor, ioThread, pluginLoader, settings.maxMessageBytes());
    store = seededStore();
    PrintStream diagnostics = System.err;
    GrantCheck grants = new GrantCheck(id, settings.grants());
    log = new CapturedLog(id, grants, diagnostics);
    context =
        new LocalPluginContext(
            id, version, settings.config(), dataDirectory, functions, grants, log, store,
            new LocalPluginCalls(id, grants, startOthers(), calls), settings.services(), executor, diagnostics);
  }

  private MemoryStore seededStore() {
    MemoryStore seeded = new MemoryStore(id);
    settings.storeEntries().forEach(
        (key, value) -> {
          try {
            seeded.put(key, value);
          } catch (HostServiceException e) {
            throw new IllegalArgumentException("cannot seed the store with key '" + key + "': " + e.getMessage(), e);
          }
        });
    return seeded;
  }

  private Map<String, PluginUnderTest> startOthers() {
    if (settings.others().containsKey(id)) {
      throw new PluginStartException(
          "another plugin was given this plugin's own id '" + id + "'; a host holds one plugin per id (the plugin"
              + " calls itself with the grant call:" + id + ")",
          null);
    }
    Map<String, PluginUnderTest> reachable = new LinkedHashMap<>();
    settings.others().forEach(
        (otherId, other) -> {
          if (other instanceof PluginUnderTest) {
            reachable.put(otherId, (PluginUnderTest) other);
            return;
          }
          InProcessPlugin started =
              InProcessPlugin.builder((Plugin) other)
                  .id(otherId)
                  .callTimeout(settings.callTimeout())
                  .shutdownGrace(settings.shutdownGrace())
                  .start();
          ownedOthers.add(started);
          reachable.put(otherId, started);
        });
    return reachable;
  }

  private void runStartHook() {
    Future<?> hook =
        executor.submit(
            () -> {
              Thread thread = Thread.currentThread();
              ClassLoader previous = thread.getContextClassLoader();
              thread.setContextClassLoader(pluginLoader);
              try {
                plugin.start(context);
              } finally {
                functions.freeze();
                thread.setContextClassLoader(previous);
              }
              return null;
            });
    try {
      hook.get(Deadlines.nanos(settings.startTimeout()), TimeUnit.NANOSECONDS);
    } catch (ExecutionException e) {
      Throwable thrown = e.getCause();
      throw new PluginStartException(
          "plugin " + id + " failed to start: start hook threw " + thrown.getClass().getName()
              + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()),
          thrown);
    } catch (TimeoutException e) {
      hook.cancel(true);
      throw new PluginStartException(
          "plugin " + id + " failed to start: its start hook did not return within " + Deadlines.millis(settings.startTimeout()),
          null);
    } catch (InterruptedException e) {
      hook.cancel(true);
      Thread.currentThread().interrupt();
      throw new PluginStartException("interrupted while plugin " + id + " started", e);
    } finally {
      functions.freeze();
    }
  }

  /**
   * Stops the plugin as the runner does on a graceful shutdown: later calls fail, the stop hook
   * runs while calls in flight finish, both within the shutdown grace; calls still running then are
   * cancelled and their threads interrupted; then the other plugins it owns are closed, its class
   * loader and temporary data directory released. Call once.
   *
   * @throws IllegalStateException once all that is done, if the stop hook threw or overran, or a
   *     call would not end; the stop hook's exception is the cause
   */
  public void stop() {
    Duration grace = settings.shutdownGrace();
    List<String> problems = new ArrayList<>();
    Throwable cause = null;
    calls.close();
    long deadline = System.nanoTime() + Deadlines.nanos(grace);
    Future<?> stopHook =
        executor.submit(
            () -> {
              Thread.currentThread().setContextClassLoader(pluginLoader);
              plugin.stop();
              return null;
            });
    try {
      try {
        stopHook.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        cause = e.getCause();
        problems.add("its stop hook threw " + cause);
      } catch (TimeoutException e) {
        stopHook.cancel(true);
        problems.add("its stop hook did not return within the " + Deadlines.millis(grace) + " shutdown grace");
      }
      if (!calls.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        calls.cancelAll();
        executor.shutdownNow();
        ioThread.shutdownNow();
        if (!calls.awaitIdle(Duration.ofSeconds(1))) {
          problems.add(
              "calls to " + calls.runningFunctions() + " were still running after the " + Deadlines.millis(grace)
                  + " shutdown grace, cancelled and interrupted (in a plugin JVM the host would have killed the process)");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("the test's thread was interrupted while the plugin stopped");
    } finally {
      problems.addAll(release());
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException(
          "plugin " + id + " (in-process) did not stop cleanly: " + String.join("; ", problems), cause);
    }
  }

  /** Releases what was set up, whatever state it is in; returns what did not close cleanly. */
  private List<String> release() {
    List<String> problems = new ArrayList<>();
    if (executor != null) {
      executor.shutdownNow();
    }
    if (ioThread != null) {
      ioThread.shutdownNow();
    }
    for (PluginUnderTest other : ownedOthers) {
      try {
        other.close();
      } catch (RuntimeException e) {
        problems.add("plugin " + other.id() + " (another plugin of this test) did not close cleanly: " + e.getMessage());
      }
    }
    if (ownedLoader != null) {
      try {
        ownedLoader.close();
      } catch (IOException e) {
        System.err.println("pluginhost-testkit: could not close plugin " + id + "'s class loader: " + e);
      }
    }
    if (ownsDataDirectory) {
      TempFiles.deleteQuietly(dataDirectory);
    }
    return problems;
  }

  private static ThreadFactory threads(String pluginId) {
    AtomicInteger count = new AtomicInteger();
    return runnable -> {
      Thread thread = new Thread(runnable, "testkit-" + pluginId + "-call-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }

  public String id() {
    return id;
  }

  public String version() {
    return version;
  }

  public Plugin plugin() {
    return plugin;
  }

  public Path dataDirectory() {
    return dataDirectory;
  }

  public FunctionRegistry functions() {
    return functions;
  }

  public LocalCalls calls() {
    return calls;
  }

  public MemoryStore store() {
    return store;
  }

  public CapturedLog log() {
    return log;
  }
}
