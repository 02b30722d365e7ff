package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.testkit.internal.CapturedLog;
import dev.pluginhost.testkit.internal.Deadlines;
import dev.pluginhost.testkit.internal.Descriptors;
import dev.pluginhost.testkit.internal.FunctionRegistry;
import dev.pluginhost.testkit.internal.GrantCheck;
import dev.pluginhost.testkit.internal.IsolatedPlugin;
import dev.pluginhost.testkit.internal.LocalCalls;
import dev.pluginhost.testkit.internal.LocalPluginCalls;
import dev.pluginhost.testkit.internal.LocalPluginContext;
import dev.pluginhost.testkit.internal.MemoryStore;
import dev.pluginhost.testkit.internal.PluginSource;
import dev.pluginhost.testkit.internal.TempFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
import java.util.regex.Pattern;

/**
 * A plugin started in the test's own JVM, through a {@code PluginContext} that keeps the runner's
 * contract: function names of 1 to 128 characters, unique, registered only during {@code start};
 * text functions in UTF-8; every call on a call thread of its own with a {@code CallContext} whose
 * deadline fires and whose cancellation reaches {@code onCancel} listeners; pipes with flow control
 * whose {@code receive()} returns null once the test closes its side and which throw {@code
 * CallCancelledException} once cancelled; failures reported as the host reports them. The host
 * services live in this JVM with the host's semantics and wording: each refused with
 * PERMISSION_DENIED without its grant, a key-value store in memory with the host's limits (the test
 * can seed it and read it, {@link #store()}), named locks, structured log records kept for the test
 * ({@link #logEntries()}), other plugins the test provides, and services the test stands in for.
 *
 * <pre>{@code
 * try (InProcessPlugin hello = InProcessPlugin.builder(new HelloPlugin())
 *         .config("greeting", "Howdy")
 *         .grant("kv", "log")
 *         .start()) {
 *   assertEquals("Howdy, Ann!", hello.callText("greet", "Ann"));
 *   assertEquals(Optional.of("Ann"), hello.store().getText("last"));
 * }
 * }</pre>
 *
 * <p>Needs only the plugin API on the classpath. What it cannot show is what only a JVM of the
 * plugin's own shows: a plugin built from an instance or class shares the test's classpath, system
 * properties and environment (one loaded from its jar with {@link #builder(Path)} gets the runner's
 * class isolation, nothing more), and a function that ignores cancellation cannot be killed.
 * {@link ChildJvmPlugin} runs the same plugin for real.
 *
 * <p>Thread-safe. Created started by {@link Builder#start()}.
 */
public final class InProcessPlugin implements PluginUnderTest {
  /** The id of a plugin that has no descriptor beside its class and was given none. */
  public static final String DEFAULT_ID = "plugin-under-test";
  /** The version of a plugin that has no descriptor beside its class and was given none. */
  public static final String DEFAULT_VERSION = "0-test";
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private final String id;
  private final String version;
  private final Plugin plugin;
  private final ClassLoader pluginLoader;
  private final URLClassLoader ownedLoader;
  private final Path dataDirectory;
  private final boolean ownsDataDirectory;
  private final ExecutorService executor;
  private final FunctionRegistry functions;
  private final LocalCalls calls;
  private final MemoryStore store;
  private final CapturedLog log;
  private final Set<String> grants;
  private final List<PluginUnderTest> ownedOthers;
  private final Duration callTimeout;
  private final Duration shutdownGrace;
  private boolean closed;

  private InProcessPlugin(Starting s) {
    this.id = s.id;
    this.version = s.version;
    this.plugin = s.plugin;
    this.pluginLoader = s.pluginLoader;
    this.ownedLoader = s.ownedLoader;
    this.dataDirectory = s.dataDirectory;
    this.ownsDataDirectory = s.ownsDataDirectory;
    this.executor = s.executor;
    this.functions = s.functions;
    this.calls = s.calls;
    this.store = s.store;
    this.log = s.log;
    this.grants = s.grants;
    this.ownedOthers = List.copyOf(s.ownedOthers);
    this.callTimeout = s.callTimeout;
    this.shutdownGrace = s.shutdownGrace;
  }

  /** A plugin to start from this instance; a fresh instance per test is best. */
  public static Builder builder(Plugin plugin) {
    return new Builder(Objects.requireNonNull(plugin, "plugin"), null, null);
  }

  /** A plugin to start from a new instance of {@code type}, made with its public no-argument constructor. */
  public static Builder builder(Class<? extends Plugin> type) {
    return new Builder(null, Objects.requireNonNull(type, "type"), null);
  }

  /**
   * A plugin to load from {@code source}, as the runner loads it: a plugin jar, a plugin folder
   * (one plugin jar and {@code lib/*.jar}) or a classes directory with its {@code META-INF} (such as
   * {@code target/classes}), in a class loader of its own whose parent sees only the JDK and the
   * plugin API; the entry class comes from {@code META-INF/services}, the id and version from the
   * descriptor.
   */
  public static Builder builder(Path source) {
    return new Builder(null, null, Objects.requireNonNull(source, "source"));
  }

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public List<String> functions() {
    return functions.names();
  }

  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  @Override
  public byte[] call(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    return calls.call(function, input, timeout, metadata);
  }

  @Override
  public List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata) {
    return calls.map(function, inputs, timeout, metadata);
  }

  @Override
  public CallerPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    return calls.openPipe(function, timeout, metadata);
  }

  /** The plugin instance, for a test that looks at its state. */
  public Plugin plugin() {
    return plugin;
  }

  /** The grants the plugin was given. */
  public Set<String> grants() {
    return grants;
  }

  /**
   * The plugin's key-value store as the host holds it: the test reads and changes it here without
   * a grant, under the same limits; the plugin sees every change at once, and the test every change
   * of the plugin's.
   */
  public KeyValueStore store() {
    return store;
  }

  /** Every structured log record the plugin sent, oldest first; a snapshot. */
  public List<LogEntry> logEntries() {
    return log.entries();
  }

  /** The plugin's data directory. */
  public Path dataDirectory() {
    return dataDirectory;
  }

  /**
   * The unary or text function registered as {@code name}, to call directly on the test's thread
   * (a text function wrapped in UTF-8 as the runner wraps it): no call thread, no deadline of the
   * kit's, no copies and no translation of what it throws. For micro-benchmarks and for stepping
   * through a function in a debugger; {@link #call} is the faithful way.
   *
   * @throws IllegalArgumentException if the plugin has no such unary or text function
   */
  public UnaryFunction function(String name) {
    UnaryFunction function = functions.unary(Objects.requireNonNull(name, "name"));
    if (function == null) {
      throw new IllegalArgumentException(
          "plugin " + id + " has no unary function '" + name + "'; it has: " + functions.describe());
    }
    return function;
  }

  /**
   * Stops the plugin as the runner does on a graceful shutdown: later calls fail with
   * FAILED_PRECONDITION, the stop hook runs while calls in flight finish, both within the shutdown
   * grace (5 seconds unless set); calls still running then are cancelled and their threads
   * interrupted. Then the other plugins this one owns are closed, its class loader and its
   * temporary data directory released. Idempotent.
   *
   * @throws IllegalStateException once all that is done, if the stop hook threw or overran the
   *     grace, or a call would not end (in a JVM of its own the host would have killed it); the
   *     stop hook's exception is the cause
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    List<String> problems = new ArrayList<>();
    Throwable cause = null;
    calls.close();
    long deadline = System.nanoTime() + Deadlines.nanos(shutdownGrace);
    Future<?> stopHook = executor.submit(() -> {
      Thread thread = Thread.currentThread();
      thread.setContextClassLoader(pluginLoader);
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
        problems.add("its stop hook did not return within the " + Deadlines.millis(shutdownGrace) + " shutdown grace");
      }
      if (!calls.awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        calls.cancelAll();
        executor.shutdownNow();
        if (!calls.awaitIdle(Duration.ofSeconds(1))) {
          problems.add(
              "calls to " + calls.runningFunctions() + " were still running after the "
                  + Deadlines.millis(shutdownGrace) + " shutdown grace, cancelled and interrupted (in a plugin JVM the"
                  + " host would have killed the process)");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      problems.add("the test's thread was interrupted while the plugin stopped");
    } finally {
      executor.shutdownNow();
      for (PluginUnderTest other : ownedOthers) {
        try {
          other.close();
        } catch (RuntimeException e) {
          problems.add("plugin " + other.id() + " (another plugin of this test) did not close cleanly: " + e.getMessage());
        }
      }
      releaseQuietly(ownedLoader, ownsDataDirectory ? dataDirectory : null);
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("plugin " + id + " (in-process) did not stop cleanly: " + String.join("; ", problems), cause);
    }
  }

  private static void releaseQuietly(URLClassLoader loader, Path temporaryDirectory) {
    if (loader != null) {
      try {
        loader.close();
      } catch (IOException e) {
        System.err.println("pluginhost-testkit: could not close a plugin's class loader: " + e);
      }
    }
    if (temporaryDirectory != null) {
      TempFiles.deleteQuietly(temporaryDirectory);
    }
  }

  @Override
  public String toString() {
    return "InProcessPlugin(" + id + " " + version + ")";
  }

  /** What {@link Builder#start()} has set up so far: all of it released if the start fails. */
  private static final class Starting {
    String id;
    String version;
    Plugin plugin;
    ClassLoader pluginLoader;
    URLClassLoader ownedLoader;
    Path dataDirectory;
    boolean ownsDataDirectory;
    ExecutorService executor;
    FunctionRegistry functions;
    LocalCalls calls;
    MemoryStore store;
    CapturedLog log;
    Set<String> grants;
    final List<PluginUnderTest> ownedOthers = new ArrayList<>();
    Duration callTimeout;
    Duration shutdownGrace;

    void release() {
      if (executor != null) {
        executor.shutdownNow();
      }
      for (PluginUnderTest other : ownedOthers) {
        try {
          other.close();
        } catch (RuntimeException e) {
          System.err.println("pluginhost-testkit: " + e.getMessage());
        }
      }
      releaseQuietly(ownedLoader, ownsDataDirectory ? dataDirectory : null);
    }
  }

  /**
   * Sets up an {@link InProcessPlugin}. Not thread-safe. Every setting has a default: no config, no
   * grants, a temporary data directory, calls within 30 seconds, a start within 30 seconds, a
   * shutdown grace of 5 seconds, messages of at most 16 MiB (the host's defaults).
   */
  public static final class Builder {
    private final Plugin instance;
    private final Class<? extends Plugin> type;
    private final Path source;
    private final List<Path> libraries = new ArrayList<>();
    private String id;
    private String version;
    private final Map<String, String> config = new LinkedHashMap<>();
    private final Set<String> grants = new LinkedHashSet<>();
    private Path dataDirectory;
    private Duration callTimeout = Duration.ofSeconds(30);
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private int maxMessageBytes = 16 * 1024 * 1024;
    private final Map<String, byte[]> storeEntries = new LinkedHashMap<>();
    private final Map<String, Object> others = new LinkedHashMap<>();
    private final Map<String, TestService> services = new LinkedHashMap<>();

    private Builder(Plugin instance, Class<? extends Plugin> type, Path source) {
      this.instance = instance;
      this.type = type;
      this.source = source;
    }

    /**
     * The plugin's id. Default: the descriptor's, from the jar or classes directory the plugin's
     * class came from (or was loaded from); {@value #DEFAULT_ID} when there is none.
     *
     * @throws IllegalArgumentException unless 1 to 64 letters, digits, '-' or '_', starting with a
     *     letter or digit, as the host requires
     */
    public Builder id(String id) {
      Objects.requireNonNull(id, "id");
      if (!ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "plugin id '" + id + "' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit");
      }
      this.id = id;
      return this;
    }

    /** The plugin's version. Default: the descriptor's, or {@value #DEFAULT_VERSION}. */
    public Builder version(String version) {
      this.version = Objects.requireNonNull(version, "version");
      return this;
    }

    /** Jars to load after the plugin's own, for a plugin loaded from a path ({@link #builder(Path)}). */
    public Builder library(Path... jars) {
      for (Path jar : jars) {
        libraries.add(Objects.requireNonNull(jar, "jar"));
      }
      return this;
    }

    /** Sets one entry of the plugin's configuration. */
    public Builder config(String key, String value) {
      config.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    /** Adds these entries to the plugin's configuration. */
    public Builder config(Map<String, String> values) {
      values.forEach(this::config);
      return this;
    }

    /**
     * Grants the plugin these host services, named as the host's settings name them ({@code "log"},
     * {@code "kv"}, {@code "locks"}, {@code "call:ID"}, {@code "call:*"}, {@code "service:NAME"},
     * {@code "network"}).
     *
     * @throws IllegalArgumentException for a name that is not a grant
     */
    public Builder grant(String... names) {
      for (String name : names) {
        grants.add(GrantCheck.check(name));
      }
      return this;
    }

    /** The plugin's data directory, left in place on close. Default: a temporary one, deleted on close. */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = Objects.requireNonNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /** The timeout of the calls that take none. */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = positive(timeout, "callTimeout");
      return this;
    }

    /** How long the start hook may take; past it the start fails, as the host's start timeout does. */
    public Builder startTimeout(Duration timeout) {
      this.startTimeout = positive(timeout, "startTimeout");
      return this;
    }

    /** How long {@link #close()} gives the stop hook and the calls still running. */
    public Builder shutdownGrace(Duration grace) {
      this.shutdownGrace = positive(grace, "shutdownGrace");
      return this;
    }

    /** The largest input, output or pipe message; larger fail with RESOURCE_EXHAUSTED. */
    public Builder maxMessageBytes(int bytes) {
      if (bytes < 1) {
        throw new IllegalArgumentException("maxMessageBytes must be positive, got " + bytes);
      }
      this.maxMessageBytes = bytes;
      return this;
    }

    /** Puts {@code value} under {@code key} in the plugin's key-value store before it starts. */
    public Builder storeEntry(String key, byte[] value) {
      storeEntries.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value").clone());
      return this;
    }

    /** {@link #storeEntry(String, byte[])} with text, encoded as UTF-8. */
    public Builder storeText(String key, String value) {
      return storeEntry(key, Objects.requireNonNull(value, "value").getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Another plugin the plugin under test can call through {@code context.plugins()} (with the
     * grant {@code call:ID}), started in-process before it with no config and no grants, and closed
     * with it. A stub is a lambda: {@code otherPlugin("squares", context -> context.registerText(
     * "square", (call, n) -> ...))}.
     */
    public Builder otherPlugin(String id, Plugin plugin) {
      Objects.requireNonNull(plugin, "plugin");
      putOther(id, plugin);
      return this;
    }

    /**
     * A plugin the test started itself (in-process, or in a child JVM) that the plugin under test
     * can call as {@code running.id()}. The test closes it; this plugin does not.
     */
    public Builder otherPlugin(PluginUnderTest running) {
      Objects.requireNonNull(running, "running");
      putOther(running.id(), running);
      return this;
    }

    private void putOther(String otherId, Object plugin) {
      Objects.requireNonNull(otherId, "id");
      if (others.containsKey(otherId)) {
        throw new IllegalArgumentException("another plugin '" + otherId + "' was given already");
      }
      others.put(otherId, plugin);
    }

    /**
     * Stands in for the embedding application's service {@code name}, which the plugin reaches
     * with {@code context.service(name)} and the grant {@code service:NAME}.
     */
    public Builder service(String name, TestService service) {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(service, "service");
      if (services.putIfAbsent(name, service) != null) {
        throw new IllegalArgumentException("service '" + name + "' was given already");
      }
      return this;
    }

    /**
     * Starts the plugin: its other plugins first, then its start hook on a thread of the kit's,
     * within the start timeout. Registration ends when the hook returns.
     *
     * @throws PluginStartException if the plugin cannot be loaded, or its start hook threw or
     *     overran; nothing is left running then
     * @throws IllegalArgumentException if a seeded store entry breaks the store's limits
     */
    public InProcessPlugin start() {
      Starting s = new Starting();
      try {
        load(s);
        if (dataDirectory != null) {
          s.dataDirectory = Files.createDirectories(dataDirectory);
        } else {
          s.dataDirectory = Files.createTempDirectory("pluginhost-testkit-" + s.id + "-");
          s.ownsDataDirectory = true;
        }
        s.executor = Executors.newCachedThreadPool(threads(s.id));
        s.functions = new FunctionRegistry();
        s.calls = new LocalCalls(s.id, s.functions, s.executor, s.pluginLoader, maxMessageBytes);
        s.store = seededStore(s.id);
        s.grants = Set.copyOf(grants);
        s.callTimeout = callTimeout;
        s.shutdownGrace = shutdownGrace;
        GrantCheck grantCheck = new GrantCheck(s.id, grants);
        PrintStream diagnostics = System.err;
        s.log = new CapturedLog(s.id, grantCheck, diagnostics);
        Map<String, PluginUnderTest> reachable = startOthers(s);
        LocalPluginContext context =
            new LocalPluginContext(
                s.id, s.version, config, s.dataDirectory, s.functions, grantCheck, s.log, s.store,
                new LocalPluginCalls(grantCheck, reachable), services, s.executor, diagnostics);
        runStartHook(s, context);
        return new InProcessPlugin(s);
      } catch (IOException e) {
        s.release();
        throw new PluginStartException("plugin " + describe(s) + " cannot be set up: " + e, e);
      } catch (RuntimeException | Error e) {
        s.release();
        throw e;
      }
    }

    private void load(Starting s) throws IOException {
      Optional<PluginSource> descriptor;
      if (source != null) {
        PluginSource opened;
        IsolatedPlugin isolated;
        try {
          opened = PluginSource.open(source);
          isolated = IsolatedPlugin.open(opened, libraries);
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new PluginStartException("the plugin at " + source + " cannot be loaded: " + e.getMessage(), e);
        }
        s.plugin = isolated.instance();
        s.ownedLoader = isolated.loader();
        s.pluginLoader = isolated.loader();
        descriptor = Optional.of(opened);
      } else {
        s.plugin = instance != null ? instance : instantiate(type);
        s.pluginLoader = s.plugin.getClass().getClassLoader();
        descriptor = Descriptors.near(s.plugin.getClass());
      }
      s.id = id != null ? id : descriptor.map(PluginSource::id).orElse(DEFAULT_ID);
      s.version = version != null ? version : descriptor.map(PluginSource::version).orElse(DEFAULT_VERSION);
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

    private MemoryStore seededStore(String pluginId) {
      MemoryStore store = new MemoryStore(pluginId);
      storeEntries.forEach(
          (key, value) -> {
            try {
              store.put(key, value);
            } catch (HostServiceException e) {
              throw new IllegalArgumentException("cannot seed the store with key '" + key + "': " + e.getMessage(), e);
            }
          });
      return store;
    }

    private Map<String, PluginUnderTest> startOthers(Starting s) {
      Map<String, PluginUnderTest> reachable = new LinkedHashMap<>();
      for (Map.Entry<String, Object> other : others.entrySet()) {
        if (other.getValue() instanceof PluginUnderTest) {
          reachable.put(other.getKey(), (PluginUnderTest) other.getValue());
          continue;
        }
        InProcessPlugin started =
            InProcessPlugin.builder((Plugin) other.getValue())
                .id(other.getKey())
                .callTimeout(callTimeout)
                .shutdownGrace(shutdownGrace)
                .start();
        s.ownedOthers.add(started);
        reachable.put(other.getKey(), started);
      }
      return reachable;
    }

    private void runStartHook(Starting s, LocalPluginContext context) {
      Future<?> hook =
          s.executor.submit(
              () -> {
                Thread thread = Thread.currentThread();
                ClassLoader previous = thread.getContextClassLoader();
                thread.setContextClassLoader(s.pluginLoader);
                try {
                  s.plugin.start(context);
                } finally {
                  s.functions.freeze();
                  thread.setContextClassLoader(previous);
                }
                return null;
              });
      try {
        hook.get(Deadlines.nanos(startTimeout), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        Throwable thrown = e.getCause();
        throw new PluginStartException(
            "plugin " + s.id + " failed to start: start hook threw " + thrown.getClass().getName()
                + (thrown.getMessage() == null ? "" : ": " + thrown.getMessage()),
            thrown);
      } catch (TimeoutException e) {
        hook.cancel(true);
        throw new PluginStartException(
            "plugin " + s.id + " failed to start: its start hook did not return within " + Deadlines.millis(startTimeout),
            null);
      } catch (InterruptedException e) {
        hook.cancel(true);
        Thread.currentThread().interrupt();
        throw new PluginStartException("interrupted while plugin " + s.id + " started", e);
      } finally {
        s.functions.freeze();
      }
    }

    private String describe(Starting s) {
      return s.id != null ? s.id : source != null ? "at " + source : "under test";
    }

    private static ThreadFactory threads(String pluginId) {
      AtomicInteger count = new AtomicInteger();
      return runnable -> {
        Thread thread = new Thread(runnable, "testkit-" + pluginId + "-call-" + count.incrementAndGet());
        thread.setDaemon(true);
        return thread;
      };
    }

    private static Duration positive(Duration value, String name) {
      Objects.requireNonNull(value, name);
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, got " + value);
      }
      return value;
    }
  }
}
