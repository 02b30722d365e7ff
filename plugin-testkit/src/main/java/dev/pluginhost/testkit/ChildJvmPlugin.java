package dev.pluginhost.testkit;

import dev.pluginhost.host.Grants;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.testkit.internal.HostCallerPipe;
import dev.pluginhost.testkit.internal.HostFailures;
import dev.pluginhost.testkit.internal.HostInstall;
import dev.pluginhost.testkit.internal.PluginSource;
import dev.pluginhost.testkit.internal.TempFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A plugin run for real: in a plugin JVM of its own (sandboxed where the host sandboxes), started
 * by a real {@link PluginHost} over a temporary, otherwise empty plugins directory, and called
 * through its real {@link PluginHandle}. From the plugin's built jar, its plugin folder, or a
 * directory of compiled classes with its {@code META-INF} (such as {@code target/classes}, which
 * exists when a module's tests run, before its jar does), packed into a temporary jar.
 *
 * <pre>{@code
 * try (ChildJvmPlugin hello = ChildJvmPlugin.builder(Path.of("target/classes"))
 *         .config("greeting", "Howdy")
 *         .start()) {
 *   assertEquals("Howdy, Ann!", hello.callText("greet", "Ann"));
 *   assertEquals(PluginState.RUNNING, hello.handle().state());
 * }
 * }</pre>
 *
 * <p>Puts the host library and its dependencies (gRPC, protobuf, Guava, SLF4J) on the test's
 * classpath; each start costs a JVM start (about half a second, after the host's first). {@link
 * #close()} stops the host, which ends every process it started, and deletes the temporary
 * directories, whether or not the test passed; if the test JVM itself dies, the plugin processes
 * notice their host is gone and exit.
 *
 * <p>Thread-safe. Created started by {@link Builder#start()}.
 */
public final class ChildJvmPlugin implements PluginUnderTest {
  /** How long past a call's deadline the kit waits for the host's own verdict. */
  private static final Duration VERDICT_SLACK = Duration.ofSeconds(30);

  private final PluginHost host;
  private final PluginHandle handle;
  private final Path temporaryRoot;
  private final Duration callTimeout;
  private boolean closed;

  private ChildJvmPlugin(PluginHost host, PluginHandle handle, Path temporaryRoot, Duration callTimeout) {
    this.host = host;
    this.handle = handle;
    this.temporaryRoot = temporaryRoot;
    this.callTimeout = callTimeout;
  }

  /** The plugin at {@code source}: a plugin jar, a plugin folder, or a classes directory. */
  public static Builder builder(Path source) {
    return new Builder(Objects.requireNonNull(source, "source"));
  }

  /** The host running the plugin, for what the handle does not reach. */
  public PluginHost host() {
    return host;
  }

  /** The plugin's handle: state, pids, deaths, metrics, output, restarts. */
  public PluginHandle handle() {
    return handle;
  }

  @Override
  public String id() {
    return handle.id();
  }

  @Override
  public String version() {
    return handle.version();
  }

  @Override
  public List<String> functions() {
    List<String> names = new ArrayList<>(handle.functions());
    names.sort(null);
    return List.copyOf(names);
  }

  @Override
  public Duration callTimeout() {
    return callTimeout;
  }

  @Override
  public byte[] call(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    Future<byte[]> result = handle.callAsync(function, input, positive(timeout), metadata);
    try {
      return result.get(Math.max(1, timeout.plus(VERDICT_SLACK).toMillis()), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PluginCallException) {
        throw HostFailures.translate((PluginCallException) e.getCause());
      }
      throw new IllegalStateException("the host failed a call to " + id() + "." + function, e.getCause());
    } catch (InterruptedException e) {
      result.cancel(true);
      Thread.currentThread().interrupt();
      throw new CallFailedException(
          HostServiceException.Code.CANCELLED, id(), function,
          "the test's thread was interrupted while waiting for " + id() + "." + function + "; the call was cancelled",
          null, e);
    } catch (TimeoutException e) {
      result.cancel(true);
      throw new CallFailedException(
          HostServiceException.Code.DEADLINE_EXCEEDED, id(), function,
          "the host gave no verdict on " + id() + "." + function + " within " + VERDICT_SLACK.toSeconds()
              + " s after its deadline",
          null, e);
    }
  }

  @Override
  public List<MapOutcome> map(String function, List<byte[]> inputs, Duration timeout, Map<String, String> metadata) {
    List<MapOutcome> outcomes = new ArrayList<>(inputs.size());
    try {
      handle.map(function, inputs, MapOptions.timeout(positive(timeout)).metadata(metadata))
          .forEach(outcome -> outcomes.add(HostFailures.translate(outcome)));
    } catch (PluginCallException e) {
      // Not one input's failure but the whole map's: every input fails alike, as in-process.
      CallFailedException failure = HostFailures.translate(e);
      outcomes.clear();
      inputs.forEach(input -> outcomes.add(MapOutcome.failure(failure)));
    }
    return outcomes;
  }

  @Override
  public CallerPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    try {
      return new HostCallerPipe(handle.openPipe(function, positive(timeout), metadata));
    } catch (PluginCallException e) {
      throw HostFailures.translate(e);
    }
  }

  private static Duration positive(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, got " + timeout);
    }
    return timeout;
  }

  /**
   * Stops the host (calls drain, the plugin's stop hook runs within its shutdown grace, processes
   * that overstay are killed) and deletes the temporary directories. Idempotent. Unlike {@link
   * InProcessPlugin#close()}, throws nothing for a stop hook that threw or overran: the runner logs
   * the one to the plugin's output, and the host kills the other's process, as in production.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    try {
      host.close();
    } finally {
      TempFiles.deleteQuietly(temporaryRoot);
    }
  }

  @Override
  public String toString() {
    return "ChildJvmPlugin(" + handle.id() + " " + handle.version() + ", " + handle.state() + ")";
  }

  /**
   * Sets up a {@link ChildJvmPlugin}. Not thread-safe. Defaults: the host's settings but for one
   * process instead of one per core ({@link #processes(int)} says why), no config and no grants,
   * calls within 30 seconds.
   */
  public static final class Builder {
    private final Path source;
    private final List<Path> libraries = new ArrayList<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private final Set<String> grants = new LinkedHashSet<>();
    private int processes = 1;
    private UnaryOperator<PluginSettings.Builder> settings = UnaryOperator.identity();
    private UnaryOperator<PluginHost.Builder> hostChanges = UnaryOperator.identity();
    private final List<Path> others = new ArrayList<>();
    private Duration callTimeout = Duration.ofSeconds(30);

    private Builder(Path source) {
      this.source = source;
    }

    /**
     * Jars the plugin needs beside its own, installed as its {@code lib/} (the plugin then runs as
     * a plugin folder).
     */
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
     * Grants the plugin these host services, as {@link PluginSettings.Builder#grant} does.
     *
     * @throws IllegalArgumentException for a name that is not a grant
     */
    public Builder grant(String... names) {
      for (String name : names) {
        grants.add(Grants.check(name));
      }
      return this;
    }

    /**
     * How many processes serve the plugin; 1 by default, not the host's one per core: one process
     * is one plugin instance, as in-process, so what a test checks across calls (state, logs, the
     * order of things) means the same in both modes, and a start costs one JVM. A test of what a
     * pool does, or that a plugin keeps no state its calls rely on, asks for 2 or more.
     */
    public Builder processes(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("processes must be at least 1, got " + count);
      }
      this.processes = count;
      return this;
    }

    /**
     * Any other setting of the plugin's (call limit, restart policy, heap, sandbox...), applied
     * after the kit's config, grants and processes.
     */
    public Builder settings(UnaryOperator<PluginSettings.Builder> changes) {
      UnaryOperator<PluginSettings.Builder> before = settings;
      UnaryOperator<PluginSettings.Builder> after = Objects.requireNonNull(changes, "changes");
      this.settings = builder -> after.apply(before.apply(builder));
      return this;
    }

    /**
     * Changes to the host before it is built, applied last: services of the embedding application,
     * listeners, a cache or data directory. The kit has set the plugins and work directories (both
     * temporary), defaults of one process for every plugin, and this plugin's settings.
     */
    public Builder host(UnaryOperator<PluginHost.Builder> changes) {
      UnaryOperator<PluginHost.Builder> before = hostChanges;
      UnaryOperator<PluginHost.Builder> after = Objects.requireNonNull(changes, "changes");
      this.hostChanges = builder -> after.apply(before.apply(builder));
      return this;
    }

    /**
     * Another plugin (jar, folder or classes directory) installed in the same host before this
     * one, with the host's defaults (one process), so this one can call it with a grant {@code
     * call:ID}.
     */
    public Builder otherPlugin(Path other) {
      others.add(Objects.requireNonNull(other, "other"));
      return this;
    }

    /** The timeout of the calls that take none. */
    public Builder callTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout");
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("callTimeout must be positive, got " + timeout);
      }
      this.callTimeout = timeout;
      return this;
    }

    /**
     * Starts an empty host over a temporary plugins directory, installs the other plugins and then
     * this one, and returns once its first process serves.
     *
     * @throws PluginStartException if the plugin is not a usable plugin, or its process did not come
     *     up (the message has how it died and its last output); the host is closed and the
     *     temporary directories deleted then
     * @throws IllegalArgumentException for a bad setting
     */
    public ChildJvmPlugin start() {
      Path root;
      try {
        root = Files.createTempDirectory("pluginhost-testkit-");
      } catch (IOException e) {
        throw new PluginStartException("cannot make a temporary directory for the host: " + e, e);
      }
      PluginHost host = null;
      try {
        PluginSource plugin = HostInstall.open(source);
        PluginSettings.Builder pluginSettings = PluginSettings.builder().processes(processes).config(config);
        grants.forEach(pluginSettings::grant);
        PluginSettings built = settings.apply(pluginSettings).build();
        Path pluginsDirectory = Files.createDirectories(root.resolve("plugins"));
        PluginHost.Builder hostBuilder =
            PluginHost.builder()
                .pluginsDirectory(pluginsDirectory)
                .workDirectory(root.resolve("work"))
                .defaults(PluginSettings.builder().processes(1).build())
                .plugin(plugin.id(), built);
        host = hostChanges.apply(hostBuilder).build();
        host.startAsync().awaitRunning(Duration.ofMinutes(1));
        int index = 0;
        for (Path other : others) {
          PluginSource opened = HostInstall.open(other);
          HostInstall.install(host, HostInstall.installable(opened, List.of(), root.resolve("others").resolve(Integer.toString(index++))),
              PluginSettings.defaults().startTimeout());
        }
        PluginHandle handle = HostInstall.install(host, HostInstall.installable(plugin, libraries, root.resolve("plugin")), built.startTimeout());
        return new ChildJvmPlugin(host, handle, root, callTimeout);
      } catch (IOException | TimeoutException e) {
        HostInstall.closeQuietly(host, root);
        throw new PluginStartException("cannot start a host for the plugin at " + source + ": " + e, e);
      } catch (RuntimeException | Error e) {
        HostInstall.closeQuietly(host, root);
        throw e;
      }
    }
  }
}
