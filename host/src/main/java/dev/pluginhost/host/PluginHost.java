package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.util.concurrent.AbstractIdleService;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.internal.Directories;
import dev.pluginhost.host.internal.catalog.PluginCatalog;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import dev.pluginhost.host.internal.runtime.HostRuntime;
import dev.pluginhost.host.internal.runtime.PluginSlot;
import dev.pluginhost.host.internal.runtime.PluginSupervisor;
import dev.pluginhost.host.internal.spawn.OsProcessLauncher;
import dev.pluginhost.host.internal.spawn.RunnerDistribution;
import io.grpc.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the plugins of one directory, each in a JVM of its own, and keeps them serving whatever
 * they do.
 *
 * <p>A {@link com.google.common.util.concurrent.Service}: {@link #startAsync()} finds the
 * plugins, unpacks the runner and starts every plugin; {@link #awaitRunning(Duration)} returns
 * once each has served or failed its first start (a plugin that fails to start is restarted with
 * backoff and never fails the host). {@link #stopAsync()} drains calls and stops every plugin
 * gracefully, killing what overstays its grace. Like every Guava service, a stopped host never
 * starts again. {@link #close()} stops and waits.
 *
 * <pre>{@code
 * try (PluginHost host = PluginHost.builder().pluginsDirectory(Path.of("plugins")).build()) {
 *   host.startAsync().awaitRunning(Duration.ofMinutes(1));
 *   String greeting = host.plugin("hello").callText("greet", "world", Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * <p>Thread-safe. Plugins are found once, at start; {@link #plugin(String)} and
 * {@link #plugins()} are empty before then.
 */
public final class PluginHost extends AbstractIdleService implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PluginHost.class);
  private static final Duration STOP_MARGIN = Duration.ofSeconds(5);

  private final Path pluginsDirectory;
  private final Path workDirectory;
  private final Path dataDirectory;
  private final Path cacheDirectory;
  private final PluginSettings defaults;
  private final Map<String, UnaryOperator<PluginSettings.Builder>> perPlugin;
  private final Set<String> startDisabled;
  private final Map<String, PluginService> services;
  private final List<Map.Entry<PluginListener, java.util.concurrent.Executor>> listeners;

  /** The plugins by id; replaced whole on every install or removal, under {@link #changes}. */
  private volatile Map<String, PluginSlot> slots = Map.of();
  /** Old versions still draining after an upgrade, and removed plugins still stopping. */
  private final Set<PluginSupervisor> leaving = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Ids with an install, upgrade or removal under way. */
  private final Set<String> changing = new java.util.HashSet<>();
  private final Object changes = new Object();
  private volatile List<String> problems = List.of();
  private HostRuntime runtime;
  private Path ownedWorkDirectory;
  private Path socketRoot;

  private PluginHost(Builder builder) {
    this.pluginsDirectory = builder.pluginsDirectory;
    this.workDirectory = builder.workDirectory;
    this.dataDirectory = builder.dataDirectory;
    this.cacheDirectory = builder.cacheDirectory;
    this.defaults = builder.defaults;
    this.perPlugin = Map.copyOf(builder.perPlugin);
    this.startDisabled = Set.copyOf(builder.startDisabled);
    this.services = Map.copyOf(builder.services);
    this.listeners = List.copyOf(builder.listeners);
  }

  public static Builder builder() {
    return new Builder();
  }

  @Override
  protected void startUp() throws Exception {
    Path work = workDirectory;
    if (work == null) {
      work = Files.createTempDirectory("pluginhost-");
      ownedWorkDirectory = work;
    }
    Files.createDirectories(work);
    Path data = dataDirectory != null ? dataDirectory : work.resolve("data");
    // Unix socket paths are limited to 107 bytes, so sockets live under a short private path.
    socketRoot = Files.createTempDirectory(Path.of("/tmp"), "ph-");
    Path runnerJar = RunnerDistribution.unpack(cacheDirectory);
    PluginCatalog.Scan scan = PluginCatalog.scan(pluginsDirectory);
    problems = List.copyOf(scan.problems());
    scan.problems().forEach(problem -> log.error("plugin refused: {}", problem));
    perPlugin.keySet().stream()
        .filter(id -> !scan.plugins().containsKey(id))
        .forEach(id -> log.warn("settings were given for plugin '{}', which is not in {}", id, pluginsDirectory));

    runtime =
        new HostRuntime(
            new OsProcessLauncher(), runnerJar, socketRoot, work.resolve("plugins"), data, System.getenv());
    runtime.services.connect(services, this::findPlugin);
    Map<String, PluginSupervisor> created = new LinkedHashMap<>();
    for (PluginDescriptor descriptor : scan.plugins().values()) {
      created.put(descriptor.id(), PluginSupervisor.create(descriptor, settingsFor(descriptor.id()), runtime));
    }
    Map<String, PluginSlot> createdSlots = new LinkedHashMap<>();
    created.forEach((id, supervisor) -> createdSlots.put(id, listenedTo(new PluginSlot(supervisor, scan.plugins().get(id).source()))));
    slots = java.util.Collections.unmodifiableMap(createdSlots);
    log.info("starting {} plugins from {}: {}", created.size(), pluginsDirectory, created.keySet());

    List<ListenableFuture<Void>> firstAttempts = new ArrayList<>();
    Duration longestStart = Duration.ZERO;
    for (PluginSupervisor supervisor : created.values()) {
      if (startDisabled.contains(supervisor.id())) {
        supervisor.startDisabled();
        continue;
      }
      firstAttempts.add(supervisor.start());
      Duration start = settingsFor(supervisor.id()).startTimeout();
      longestStart = start.compareTo(longestStart) > 0 ? start : longestStart;
    }
    try {
      Futures.successfulAsList(firstAttempts)
          .get(longestStart.plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("not every plugin finished its first start in time; the host runs regardless");
    }
  }

  private PluginSettings settingsFor(String id) {
    UnaryOperator<PluginSettings.Builder> customizer = perPlugin.get(id);
    return customizer == null ? defaults : customizer.apply(defaults.toBuilder()).build();
  }

  @Override
  protected void shutDown() throws Exception {
    List<PluginSupervisor> all = new ArrayList<>();
    synchronized (changes) {
      slots.values().forEach(slot -> all.add(slot.current()));
      all.addAll(leaving);
    }
    List<ListenableFuture<Void>> stops = new ArrayList<>();
    Duration longestGrace = Duration.ZERO;
    for (PluginSupervisor supervisor : all) {
      stops.add(supervisor.stop());
      Duration grace = settingsFor(supervisor.id()).shutdownGrace();
      longestGrace = grace.compareTo(longestGrace) > 0 ? grace : longestGrace;
    }
    try {
      Futures.successfulAsList(stops)
          .get(longestGrace.multipliedBy(2).plus(STOP_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      log.warn("some plugins did not stop in time; killing them");
      all.forEach(PluginSupervisor::kill);
      try {
        Futures.successfulAsList(stops).get(STOP_MARGIN.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillThere) {
        log.error("some plugin processes did not die after SIGKILL within {}", STOP_MARGIN);
      }
    } finally {
      if (runtime != null) {
        runtime.close();
      }
      Directories.deleteQuietly(socketRoot);
      Directories.deleteQuietly(ownedWorkDirectory);
    }
  }


  @Override
  protected String serviceName() {
    return "PluginHost[" + pluginsDirectory + "]";
  }

  /**
   * The plugin with this id.
   *
   * @throws PluginCallException with NOT_FOUND, naming the plugins there are, if there is none
   */
  public PluginHandle plugin(String id) {
    Map<String, PluginSlot> now = slots;
    PluginSlot slot = now.get(checkNotNull(id, "id"));
    if (slot == null) {
      throw new PluginCallException(
          Status.Code.NOT_FOUND,
          id,
          null,
          -1,
          "no plugin '" + id + "' in this host; it has: "
              + (now.isEmpty() ? "(none; is the host started?)" : String.join(", ", now.keySet())),
          null,
          null,
          null);
    }
    return slot;
  }

  /** The plugin with this id, if there is one. */
  public Optional<PluginHandle> findPlugin(String id) {
    return Optional.ofNullable(slots.get(id));
  }

  /** Every plugin, in the order found, then installed. */
  public List<PluginHandle> plugins() {
    return ImmutableList.copyOf(slots.values());
  }

  /**
   * Adds the plugin at {@code source} (a plugin jar, or a folder holding one and a lib/) to the
   * running host and starts it with its settings (the defaults, changed by any given for its id).
   * The future completes with its handle once its first processes have served or failed to (a
   * failed start is retried, as at host start), or fails with a {@link PluginChangeException}:
   * the jar is not a usable plugin, its id is taken, or the host is not running. The host does
   * not copy or keep {@code source}: it must stay where it is for the plugin's restarts.
   */
  public ListenableFuture<PluginHandle> installAsync(Path source) {
    PluginDescriptor descriptor;
    PluginSupervisor supervisor;
    try {
      descriptor = describe(source);
      synchronized (changes) {
        requireRunning();
        if (slots.containsKey(descriptor.id()) || changing.contains(descriptor.id())) {
          throw new PluginChangeException(Status.Code.ALREADY_EXISTS, "plugin '" + descriptor.id() + "' is already installed");
        }
        supervisor = PluginSupervisor.create(descriptor, settingsFor(descriptor.id()), runtime);
        Map<String, PluginSlot> next = new LinkedHashMap<>(slots);
        next.put(descriptor.id(), listenedTo(new PluginSlot(supervisor, descriptor.source())));
        slots = java.util.Collections.unmodifiableMap(next);
      }
    } catch (PluginChangeException e) {
      return Futures.immediateFailedFuture(e);
    }
    log.info("installing plugin {} {} from {}", descriptor.id(), descriptor.version(), source);
    PluginHandle handle = slots.get(descriptor.id());
    return Futures.transform(supervisor.start(), unused -> handle, com.google.common.util.concurrent.MoreExecutors.directExecutor());
  }

  /**
   * Replaces the code of plugin {@code id} with the version at {@code source}, failing no call:
   * the new version's processes start beside the old ones; once they serve, new calls go to them
   * and the old processes drain their calls and stop. The plugin's handle, listeners and output
   * log carry on; its metrics, restart count and crash history start afresh with the new version.
   * If the new version does not start, it is stopped, the old one serves on untouched, and the
   * future fails with a {@link PluginChangeException} (FAILED_PRECONDITION) saying how it died.
   * The future completes once the new version serves; the old one drains after that.
   */
  public ListenableFuture<PluginHandle> upgradeAsync(String id, Path source) {
    PluginDescriptor descriptor;
    PluginSlot slot;
    PluginSupervisor next;
    try {
      descriptor = describe(source);
      if (!descriptor.id().equals(id)) {
        throw new PluginChangeException(
            Status.Code.INVALID_ARGUMENT, source + " holds plugin '" + descriptor.id() + "', not '" + id + "'");
      }
      synchronized (changes) {
        requireRunning();
        slot = slots.get(id);
        if (slot == null) {
          throw new PluginChangeException(Status.Code.NOT_FOUND, "no plugin '" + id + "' to upgrade; install it instead");
        }
        if (!changing.add(id)) {
          throw new PluginChangeException(Status.Code.FAILED_PRECONDITION, "plugin '" + id + "' is being changed already; try again once that is done");
        }
        next = PluginSupervisor.createNextVersion(slot.current(), descriptor, settingsFor(id), runtime);
      }
    } catch (PluginChangeException e) {
      return Futures.immediateFailedFuture(e);
    }
    String from = slot.current().version();
    log.info("upgrading plugin {} from {} to {} ({})", id, from, descriptor.version(), source);
    com.google.common.util.concurrent.SettableFuture<PluginHandle> done = com.google.common.util.concurrent.SettableFuture.create();
    next.start().addListener(() -> {
      PluginSupervisor old = null;
      PluginChangeException failure = null;
      synchronized (changes) {
        changing.remove(id);
        if (next.state() != PluginState.RUNNING) {
          failure = new PluginChangeException(
              Status.Code.FAILED_PRECONDITION,
              "plugin '" + id + "' version " + descriptor.version() + " did not start"
                  + next.lastDeath().map(d -> ": pid " + d.pid() + " " + d.detail()).orElse("")
                  + "; version " + from + " serves on");
        } else if (!isRunning() || slots.get(id) != slot) {
          failure = new PluginChangeException(Status.Code.FAILED_PRECONDITION, "the host stopped or the plugin was removed during the upgrade");
        } else {
          old = slot.switchTo(
              next, descriptor.source(), "upgraded from version " + from + " to " + descriptor.version() + "; the old processes drain");
          leaving.add(old);
        }
      }
      if (failure != null) {
        next.stop();
        done.setException(failure);
        return;
      }
      PluginSupervisor drained = old;
      drained.stop().addListener(() -> leaving.remove(drained), com.google.common.util.concurrent.MoreExecutors.directExecutor());
      log.info("plugin {} upgraded from {} to {}", id, from, descriptor.version());
      done.set(slot);
    }, com.google.common.util.concurrent.MoreExecutors.directExecutor());
    return done;
  }

  /**
   * Stops plugin {@code id} (its calls drain within its shutdown grace, new calls fail) and takes
   * it out of the host. Completes once its processes are gone; fails with a {@link
   * PluginChangeException} when there is no such plugin or another change of it is under way.
   * Handles to it stay usable and report it STOPPED.
   */
  public ListenableFuture<Void> removeAsync(String id) {
    PluginSlot slot;
    synchronized (changes) {
      if (!isRunning()) {
        return Futures.immediateFailedFuture(new PluginChangeException(Status.Code.FAILED_PRECONDITION, "the host is " + state()));
      }
      slot = slots.get(id);
      if (slot == null) {
        return Futures.immediateFailedFuture(new PluginChangeException(Status.Code.NOT_FOUND, "no plugin '" + id + "' to remove"));
      }
      if (changing.contains(id)) {
        return Futures.immediateFailedFuture(
            new PluginChangeException(Status.Code.FAILED_PRECONDITION, "plugin '" + id + "' is being changed already; try again once that is done"));
      }
      Map<String, PluginSlot> next = new LinkedHashMap<>(slots);
      next.remove(id);
      slots = java.util.Collections.unmodifiableMap(next);
      leaving.add(slot.current());
    }
    log.info("removing plugin {}", id);
    PluginSupervisor supervisor = slot.current();
    ListenableFuture<Void> stopped = supervisor.stop();
    stopped.addListener(() -> leaving.remove(supervisor), com.google.common.util.concurrent.MoreExecutors.directExecutor());
    return stopped;
  }

  /** Where plugin {@code id}'s current version was loaded from (its jar or folder), if it is here. */
  public Optional<Path> pluginSource(String id) {
    return Optional.ofNullable(slots.get(id)).map(PluginSlot::source);
  }

  /** {@code slot}, with the builder's host-wide listeners added, before its plugin starts. */
  private PluginSlot listenedTo(PluginSlot slot) {
    listeners.forEach(l -> slot.addListener(l.getKey(), l.getValue()));
    return slot;
  }

  private void requireRunning() {
    if (!isRunning()) {
      throw new PluginChangeException(Status.Code.FAILED_PRECONDITION, "the host is " + state() + ", not RUNNING");
    }
  }

  /** The descriptor of a jar or plugin folder, or INVALID_ARGUMENT saying why it is no plugin. */
  private static PluginDescriptor describe(Path source) {
    try {
      return PluginCatalog.describe(source);
    } catch (IllegalArgumentException | java.io.IOException e) {
      throw new PluginChangeException(Status.Code.INVALID_ARGUMENT, source + ": " + e.getMessage());
    }
  }

  /** One sentence for each entry of the plugins directory that was refused, and why. */
  public List<String> problems() {
    return problems;
  }

  /**
   * Stops the host and waits for it to terminate: calls drain, plugins stop gracefully, then are
   * killed. Idempotent; safe to call from any state.
   */
  @Override
  public void close() {
    stopAsync();
    try {
      awaitTerminated(Duration.ofMinutes(2));
    } catch (TimeoutException e) {
      log.error("the host did not stop within 2 minutes", e);
    } catch (IllegalStateException failed) {
      log.error("the host failed", failed);
    }
  }

  /** Builds a {@link PluginHost}. Not thread-safe. */
  public static final class Builder {
    private Path pluginsDirectory;
    private Path workDirectory;
    private Path dataDirectory;
    private Path cacheDirectory = defaultCacheDirectory();
    private PluginSettings defaults = PluginSettings.defaults();
    private final Map<String, UnaryOperator<PluginSettings.Builder>> perPlugin = new LinkedHashMap<>();
    private final Set<String> startDisabled = new java.util.LinkedHashSet<>();
    private final Map<String, PluginService> services = new LinkedHashMap<>();
    private final List<Map.Entry<PluginListener, java.util.concurrent.Executor>> listeners = new ArrayList<>();

    private Builder() {}

    /** Where the plugins are: jars, or folders with a jar and lib/. Required. */
    public Builder pluginsDirectory(Path directory) {
      this.pluginsDirectory = checkNotNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /**
     * Where plugin processes get their working and temporary directories. Default: a fresh
     * private temporary directory, deleted when the host stops.
     */
    public Builder workDirectory(Path directory) {
      this.workDirectory = checkNotNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /**
     * Where each plugin's data directory goes (one subdirectory per plugin id), which outlives
     * restarts of the plugin. Default: {@code data} inside the work directory.
     */
    public Builder dataDirectory(Path directory) {
      this.dataDirectory = checkNotNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /** Where the plugin runner's jar is unpacked and kept. Default: ~/.cache/pluginhost. */
    public Builder cacheDirectory(Path directory) {
      this.cacheDirectory = checkNotNull(directory, "directory").toAbsolutePath();
      return this;
    }

    /** The settings of every plugin not configured otherwise. */
    public Builder defaults(PluginSettings settings) {
      this.defaults = checkNotNull(settings, "settings");
      return this;
    }

    /** Settings for one plugin, as changes to the defaults. */
    public Builder plugin(String id, UnaryOperator<PluginSettings.Builder> changes) {
      checkArgument(!perPlugin.containsKey(checkNotNull(id, "id")), "plugin %s is configured twice", id);
      perPlugin.put(id, checkNotNull(changes, "changes"));
      return this;
    }

    /**
     * Listens to every plugin's events from its very first (NEW to STARTING at host start), and
     * to plugins installed later from theirs, on {@code executor}, across upgrades.
     */
    public Builder addListener(PluginListener listener, java.util.concurrent.Executor executor) {
      listeners.add(Map.entry(checkNotNull(listener, "listener"), checkNotNull(executor, "executor")));
      return this;
    }

    /**
     * Plugins to leave DISABLED when the host starts, without starting a process for them (an
     * operator disabled them); {@link PluginHandle#enableAsync()} starts them. Ids that are not
     * among the host's plugins are ignored.
     */
    public Builder startDisabled(Collection<String> ids) {
      ids.forEach(id -> startDisabled.add(checkNotNull(id, "id")));
      return this;
    }

    /** Settings for one plugin, replacing the defaults. */
    public Builder plugin(String id, PluginSettings settings) {
      checkNotNull(settings, "settings");
      return plugin(id, ignored -> settings.toBuilder());
    }

    /**
     * Offers plugins a service of the application under {@code name}: a plugin granted {@code
     * service:NAME} ({@link Grants#service}) reaches it through its context. See {@link
     * PluginService} for the threading and what the plugin sees of failures.
     *
     * @throws IllegalArgumentException if {@code name} is not a valid service name or is taken
     */
    public Builder service(String name, PluginService service) {
      Grants.service(name);
      checkNotNull(service, "service");
      checkArgument(!services.containsKey(name), "a service named '%s' was already registered", name);
      services.put(name, service);
      return this;
    }

    /**
     * @throws IllegalStateException if no plugins directory was given
     */
    public PluginHost build() {
      checkState(pluginsDirectory != null, "pluginsDirectory is required");
      return new PluginHost(this);
    }

    private static Path defaultCacheDirectory() {
      String xdg = System.getenv("XDG_CACHE_HOME");
      Path base = xdg != null && !xdg.isEmpty()
          ? Path.of(xdg)
          : Path.of(System.getProperty("user.home"), ".cache");
      return base.resolve("pluginhost");
    }
  }
}
