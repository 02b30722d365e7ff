package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.testkit.internal.GrantCheck;
import dev.pluginhost.testkit.internal.LocalPluginRun;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A plugin started in the test's own JVM, through a {@code PluginContext} that keeps the runner's
 * contract: function names of 1 to 128 characters, unique, registered only during {@code start};
 * text functions in UTF-8; every call on a call thread of its own (a NON_BLOCKING function on the
 * plugin's I/O thread, where host services that wait refuse with the runner's {@code
 * IllegalStateException}, as in a plugin JVM) with a {@code CallContext} whose deadline fires and
 * whose cancellation reaches {@code onCancel} listeners; pipes with flow control whose {@code
 * receive()} returns null once the test closes its side and which throw {@code
 * CallCancelledException} once cancelled; failures reported as the host reports them. The host
 * services live in this JVM with the host's semantics and wording: each refused with
 * PERMISSION_DENIED without its grant, a key-value store in memory with the host's limits (the test
 * can seed it and read it, {@link #store()}), named locks, structured log records kept for the test
 * ({@link #logEntries()}), other plugins the test provides, and services the test stands in for.
 *
 * <pre>{@code
 * // A plugin whose greet function remembers, in its key-value store, whom it greeted last.
 * try (InProcessPlugin hello = InProcessPlugin.builder(new HelloPlugin())
 *         .config("greeting", "Howdy")
 *         .grant("kv")
 *         .start()) {
 *   assertEquals("Howdy, Ann!", hello.callText("greet", "Ann"));
 *   assertEquals(Optional.of("Ann"), hello.store().getText("lastGreeted"));
 * }
 * }</pre>
 *
 * <p>A map is cut into chunks as the host cuts one for a pool of one process (a quarter of the
 * inputs each, rounded up), and its chunks run at once, each a call of its own; a chunk's inputs
 * run one after another.
 *
 * <p>Needs only the plugin API on the classpath. What it cannot show is what only a JVM of the
 * plugin's own shows (the package's documentation lists it): one instance serves every call, where
 * the host starts one per process; the {@code network} grant and the sandbox do not apply; a plugin
 * built from an instance or class shares the test's classpath, and every plugin its system
 * properties and environment (one loaded from its jar with {@link #builder(Path)} gets the runner's
 * class isolation, nothing more); and a function that ignores cancellation cannot be killed.
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

  private final LocalPluginRun run;
  private final Set<String> grants;
  private final Duration callTimeout;
  private boolean closed;

  private InProcessPlugin(LocalPluginRun run, Set<String> grants, Duration callTimeout) {
    this.run = run;
    this.grants = grants;
    this.callTimeout = callTimeout;
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
    return run.id();
  }

  @Override
  public String version() {
    return run.version();
  }

  @Override
  public List<String> functions() {
    return run.functions().names();
  }

  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  @Override
  public byte[] call(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    return run.calls().call(function, input, timeout, metadata);
  }

  @Override
  public List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata) {
    return run.calls().map(function, inputs, timeout, metadata);
  }

  @Override
  public CallerPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    return run.calls().openPipe(function, timeout, metadata);
  }

  /** The plugin instance, for a test that looks at its state. */
  public Plugin plugin() {
    return run.plugin();
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
    return run.store();
  }

  /** Every structured log record the plugin sent, oldest first; a snapshot. */
  public List<LogEntry> logEntries() {
    return run.log().entries();
  }

  /** The plugin's data directory. */
  public Path dataDirectory() {
    return run.dataDirectory();
  }

  /**
   * The unary or text function registered as {@code name}, to call directly on the test's thread
   * (a text function wrapped in UTF-8 as the runner wraps it): no call thread (nor I/O thread for a
   * NON_BLOCKING one, so host services do not refuse), no deadline of the kit's, no copies and no
   * translation of what it throws. For micro-benchmarks and for stepping
   * through a function in a debugger; {@link #call} is the faithful way.
   *
   * @throws IllegalArgumentException if the plugin has no such unary or text function
   */
  public UnaryFunction function(String name) {
    UnaryFunction function = run.functions().unary(Objects.requireNonNull(name, "name"));
    if (function == null) {
      throw new IllegalArgumentException(
          "plugin " + id() + " has no unary function '" + name + "'; it has: " + run.functions().describe());
    }
    return function;
  }

  /**
   * Stops the plugin as the runner does on a graceful shutdown: later calls fail with
   * FAILED_PRECONDITION, the stop hook runs while calls in flight finish, both within the shutdown
   * grace (5 seconds unless set); calls still running then are cancelled and their threads
   * interrupted. Then the other plugins this one started are closed, its class loader and its
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
    run.stop();
  }

  @Override
  public String toString() {
    return "InProcessPlugin(" + id() + " " + version() + ")";
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
     * "square", (call, n) -> ...))}. As through the host, every call it gets from the plugin under
     * test carries that plugin's id under {@code PluginApi.CALLER_METADATA}. The plugin under test
     * needs none of this to call itself, only the grant {@code call:} its own id; another plugin
     * given its id fails the start.
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
     *     overran; everything the kit started for it is released then, and an overrunning hook's
     *     thread interrupted: a hook that ignores the interrupt keeps running on that (daemon)
     *     thread until it returns, as nothing in a JVM can stop it (the host would kill its process)
     * @throws IllegalArgumentException if a seeded store entry breaks the store's limits
     */
    public InProcessPlugin start() {
      LocalPluginRun.Settings settings =
          new LocalPluginRun.Settings(
              instance, type, source, List.copyOf(libraries), id, version, Map.copyOf(config), Set.copyOf(grants),
              dataDirectory, callTimeout, startTimeout, shutdownGrace, maxMessageBytes,
              new LinkedHashMap<>(storeEntries), new LinkedHashMap<>(others), Map.copyOf(services));
      return new InProcessPlugin(LocalPluginRun.start(settings, DEFAULT_ID, DEFAULT_VERSION), Set.copyOf(grants), callTimeout);
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
