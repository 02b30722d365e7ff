package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the host runs one plugin: its JVM, what it may inherit, its configuration, and the limits
 * the host enforces. Immutable; make one with {@link #builder()} or change a copy with
 * {@link #toBuilder()}. Every setting has a default that suits a well-behaved plugin.
 */
public final class PluginSettings {
  private static final PluginSettings DEFAULTS = builder().build();

  private final Path javaExecutable;
  private final int maxHeapMegabytes;
  private final ImmutableList<String> jvmOptions;
  private final ImmutableSet<String> inheritedEnvironment;
  private final ImmutableMap<String, String> environment;
  private final ImmutableMap<String, String> config;
  private final ImmutableSet<String> grants;
  private final boolean refuseHostProperties;
  private final Duration startTimeout;
  private final Duration callTimeLimit;
  private final Duration probeInterval;
  private final Duration probeTimeout;
  private final Duration restartBackoffInitial;
  private final Duration restartBackoffMax;
  private final Duration shutdownGrace;
  private final int processes;
  private final int maxConcurrentCallsPerProcess;
  private final int maxQueuedCalls;
  private final RestartPolicy restartPolicy;
  private final int maxRestarts;
  private final Duration restartWindow;
  private final double restartBackoffMultiplier;
  private final double restartBackoffJitter;
  private final long recycleAfterCalls;
  private final Duration recycleAfterAge;
  private final int warmSpares;
  private final int maxCallAttempts;
  private final SandboxMode sandbox;
  private final int maxMetaspaceMegabytes;
  private final int maxDirectMemoryMegabytes;
  private final int threadStackKilobytes;
  private final int activeProcessors;
  private final int maxOpenFiles;
  private final int maxTasks;
  private final int maxMemoryMegabytes;
  private final long cpuSecondsLimit;
  private final int maxMessageBytes;

  private PluginSettings(Builder b) {
    this.javaExecutable = b.javaExecutable;
    this.maxHeapMegabytes = b.maxHeapMegabytes;
    this.jvmOptions = ImmutableList.copyOf(b.jvmOptions);
    this.inheritedEnvironment = ImmutableSet.copyOf(b.inheritedEnvironment);
    this.environment = ImmutableMap.copyOf(b.environment);
    this.config = ImmutableMap.copyOf(b.config);
    this.grants = ImmutableSet.copyOf(b.grants);
    this.refuseHostProperties = b.refuseHostProperties;
    this.startTimeout = b.startTimeout;
    this.callTimeLimit = b.callTimeLimit;
    this.probeInterval = b.probeInterval;
    this.probeTimeout = b.probeTimeout;
    this.restartBackoffInitial = b.restartBackoffInitial;
    this.restartBackoffMax = b.restartBackoffMax;
    this.shutdownGrace = b.shutdownGrace;
    this.processes = b.processes;
    this.maxConcurrentCallsPerProcess = b.maxConcurrentCallsPerProcess;
    this.maxQueuedCalls = b.maxQueuedCalls;
    this.restartPolicy = b.restartPolicy;
    this.maxRestarts = b.maxRestarts;
    this.restartWindow = b.restartWindow;
    this.restartBackoffMultiplier = b.restartBackoffMultiplier;
    this.restartBackoffJitter = b.restartBackoffJitter;
    this.recycleAfterCalls = b.recycleAfterCalls;
    this.recycleAfterAge = b.recycleAfterAge;
    this.warmSpares = b.warmSpares;
    this.maxCallAttempts = b.maxCallAttempts;
    this.sandbox = b.sandbox;
    this.maxMetaspaceMegabytes = b.maxMetaspaceMegabytes;
    this.maxDirectMemoryMegabytes = b.maxDirectMemoryMegabytes;
    this.threadStackKilobytes = b.threadStackKilobytes;
    this.activeProcessors = b.activeProcessors;
    this.maxOpenFiles = b.maxOpenFiles;
    this.maxTasks = b.maxTasks;
    this.maxMemoryMegabytes = b.maxMemoryMegabytes;
    this.cpuSecondsLimit = b.cpuSecondsLimit;
    this.maxMessageBytes = b.maxMessageBytes;
  }

  /** The settings every plugin gets unless told otherwise. */
  public static PluginSettings defaults() {
    return DEFAULTS;
  }

  public static Builder builder() {
    return new Builder();
  }

  /** A builder that starts from these settings. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The {@code java} launcher for the plugin's JVM; default: the one running the host. */
  public Path javaExecutable() {
    return javaExecutable;
  }

  /** The plugin JVM's maximum heap ({@code -Xmx}), in MiB; default 256. */
  public int maxHeapMegabytes() {
    return maxHeapMegabytes;
  }

  /** Extra JVM options, after the host's own; default none. */
  public List<String> jvmOptions() {
    return jvmOptions;
  }

  /** Names of host environment variables passed on to the plugin; default none. */
  public Set<String> inheritedEnvironment() {
    return inheritedEnvironment;
  }

  /** Environment variables set for the plugin; default none. */
  public Map<String, String> environment() {
    return environment;
  }

  /** The plugin's own configuration, given to its start hook; default empty. */
  public Map<String, String> config() {
    return config;
  }

  /**
   * What the host grants the plugin beyond computing (see {@link Grants}); default none. A plugin
   * that uses a host service it was not granted gets PERMISSION_DENIED naming the grant.
   */
  public Set<String> grants() {
    return grants;
  }

  /**
   * Whether reading, in the plugin, a system property that the host's application set (and the
   * plugin JVM has no value of its own for) throws an error saying a plugin inherits nothing,
   * instead of reading as absent; default false. Catches code written with fork's habits, at the
   * price of telling the plugin the names (never the values) of the application's properties, and
   * of failing a library that merely probes a name the application happens to set. The JDK's own
   * properties and those of well-known libraries are never included.
   */
  public boolean refuseHostProperties() {
    return refuseHostProperties;
  }

  /** From spawn to the start hook's return, at most; default 30 s. */
  public Duration startTimeout() {
    return startTimeout;
  }

  /**
   * The longest any call may run inside the plugin, whatever its caller's deadline; a call still
   * running past it means a hung handler, and the process is killed and restarted. Default 60 s.
   */
  public Duration callTimeLimit() {
    return callTimeLimit;
  }

  /** How often the host probes a running plugin; default 2 s. */
  public Duration probeInterval() {
    return probeInterval;
  }

  /** How long a probe may take before the process is killed as unresponsive; default 5 s. */
  public Duration probeTimeout() {
    return probeTimeout;
  }

  /** The delay before the first restart after a death; default 100 ms, doubling each time. */
  public Duration restartBackoffInitial() {
    return restartBackoffInitial;
  }

  /** The longest delay between restarts; default 30 s. */
  public Duration restartBackoffMax() {
    return restartBackoffMax;
  }

  /** How long a graceful stop may take (drain, then stop hook) before a kill; default 5 s. */
  public Duration shutdownGrace() {
    return shutdownGrace;
  }

  /**
   * How many processes serve the plugin at once (multiprocessing's {@code Pool(processes)}).
   * Default: the number of processors this machine has, since the best size differs between
   * machines.
   */
  public int processes() {
    return processes;
  }

  /** How many calls one process serves at once; more wait in the queue. Default 16. */
  public int maxConcurrentCallsPerProcess() {
    return maxConcurrentCallsPerProcess;
  }

  /**
   * How many calls may wait for a free process; a call beyond that fails at once with
   * RESOURCE_EXHAUSTED, so a flood never grows memory without bound. Default 1000.
   */
  public int maxQueuedCalls() {
    return maxQueuedCalls;
  }

  /** When a process that ended on its own is replaced; default {@link RestartPolicy#ALWAYS}. */
  public RestartPolicy restartPolicy() {
    return restartPolicy;
  }

  /**
   * The restart intensity: more than this many restarts within {@link #restartWindow()} and the
   * plugin is FAILED until an operator acts. Default 10.
   */
  public int maxRestarts() {
    return maxRestarts;
  }

  /** The window of {@link #maxRestarts()}; default 60 s. Older restarts are forgiven. */
  public Duration restartWindow() {
    return restartWindow;
  }

  /** Each consecutive failure multiplies the restart delay by this; default 2. */
  public double restartBackoffMultiplier() {
    return restartBackoffMultiplier;
  }

  /**
   * Each restart delay is spread by up to this fraction either way, so a pool's processes do not
   * restart in lockstep; default 0.2.
   */
  public double restartBackoffJitter() {
    return restartBackoffJitter;
  }

  /**
   * A process is replaced, after draining, once it has been sent this many calls
   * (multiprocessing's {@code maxtasksperchild}); 0, the default, means never.
   */
  public long recycleAfterCalls() {
    return recycleAfterCalls;
  }

  /** A process is replaced, after draining, once it has served this long; zero (default) means never. */
  public Duration recycleAfterAge() {
    return recycleAfterAge;
  }

  /**
   * How many started, ready processes to hold back, so that a dead process is replaced in
   * milliseconds instead of a JVM start. They cost memory while they wait. Default 0.
   */
  public int warmSpares() {
    return warmSpares;
  }

  /**
   * How many times in all an idempotent call is tried when processes die under it, within its
   * deadline; default 3. A call that never reached a process is always tried again.
   */
  public int maxCallAttempts() {
    return maxCallAttempts;
  }

  /** The OS sandbox around the plugin's JVM; default {@link SandboxMode#AUTO}. */
  public SandboxMode sandbox() {
    return sandbox;
  }

  /** The JVM's metaspace limit ({@code -XX:MaxMetaspaceSize}), in MiB; default 128. */
  public int maxMetaspaceMegabytes() {
    return maxMetaspaceMegabytes;
  }

  /** The JVM's direct (off-heap) buffer limit ({@code -XX:MaxDirectMemorySize}), in MiB; default 128. */
  public int maxDirectMemoryMegabytes() {
    return maxDirectMemoryMegabytes;
  }

  /** Each thread's stack ({@code -Xss}), in KiB; 0 (default) leaves the JVM's own. */
  public int threadStackKilobytes() {
    return threadStackKilobytes;
  }

  /** How many processors the JVM believes it has ({@code -XX:ActiveProcessorCount}); 0 (default) leaves it be. */
  public int activeProcessors() {
    return activeProcessors;
  }

  /** Open file descriptors the process may hold (RLIMIT_NOFILE); default 4096. */
  public int maxOpenFiles() {
    return maxOpenFiles;
  }

  /**
   * Threads and processes the plugin may have in all, counting those it spawns (a cgroup pids
   * limit, where cgroups are writable); default 1024. A plugin that reaches it is killed and
   * restarted ({@link DeathCause#TASK_LIMIT}); an idle plugin JVM has a few dozen threads, each
   * call in flight adds one.
   */
  public int maxTasks() {
    return maxTasks;
  }

  /**
   * Memory the plugin's processes may use in all, heap and native alike (a cgroup memory limit,
   * where cgroups are writable); past it the kernel kills them. Default 1024 MiB; 0 means none.
   */
  public int maxMemoryMegabytes() {
    return maxMemoryMegabytes;
  }

  /** CPU seconds the process may use in its whole life (RLIMIT_CPU); 0 (default) means unlimited. */
  public long cpuSecondsLimit() {
    return cpuSecondsLimit;
  }

  /**
   * The largest request or response, in bytes; a larger one fails with RESOURCE_EXHAUSTED and
   * harms nothing else. Default 16 MiB.
   */
  public int maxMessageBytes() {
    return maxMessageBytes;
  }

  /** Builds {@link PluginSettings}. Not thread-safe. */
  public static final class Builder {
    private Path javaExecutable =
        Path.of(System.getProperty("java.home"), "bin", "java").toAbsolutePath();
    private int maxHeapMegabytes = 256;
    private final List<String> jvmOptions = new java.util.ArrayList<>();
    private final Set<String> inheritedEnvironment = new LinkedHashSet<>();
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final Map<String, String> config = new LinkedHashMap<>();
    private final Set<String> grants = new LinkedHashSet<>();
    private boolean refuseHostProperties;
    private Duration startTimeout = Duration.ofSeconds(30);
    private Duration callTimeLimit = Duration.ofSeconds(60);
    private Duration probeInterval = Duration.ofSeconds(2);
    private Duration probeTimeout = Duration.ofSeconds(5);
    private Duration restartBackoffInitial = Duration.ofMillis(100);
    private Duration restartBackoffMax = Duration.ofSeconds(30);
    private Duration shutdownGrace = Duration.ofSeconds(5);
    private int processes = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int maxConcurrentCallsPerProcess = 16;
    private int maxQueuedCalls = 1000;
    private RestartPolicy restartPolicy = RestartPolicy.ALWAYS;
    private int maxRestarts = 10;
    private Duration restartWindow = Duration.ofSeconds(60);
    private double restartBackoffMultiplier = 2.0;
    private double restartBackoffJitter = 0.2;
    private long recycleAfterCalls;
    private Duration recycleAfterAge = Duration.ZERO;
    private int warmSpares;
    private int maxCallAttempts = 3;
    private SandboxMode sandbox = SandboxMode.AUTO;
    private int maxMetaspaceMegabytes = 128;
    private int maxDirectMemoryMegabytes = 128;
    private int threadStackKilobytes = 0;
    private int activeProcessors = 0;
    private int maxOpenFiles = 4096;
    private int maxTasks = 1024;
    private int maxMemoryMegabytes = 1024;
    private long cpuSecondsLimit = 0;
    private int maxMessageBytes = 16 * 1024 * 1024;

    private Builder() {}

    private Builder(PluginSettings s) {
      javaExecutable = s.javaExecutable;
      maxHeapMegabytes = s.maxHeapMegabytes;
      jvmOptions.addAll(s.jvmOptions);
      inheritedEnvironment.addAll(s.inheritedEnvironment);
      environment.putAll(s.environment);
      config.putAll(s.config);
      grants.addAll(s.grants);
      refuseHostProperties = s.refuseHostProperties;
      startTimeout = s.startTimeout;
      callTimeLimit = s.callTimeLimit;
      probeInterval = s.probeInterval;
      probeTimeout = s.probeTimeout;
      restartBackoffInitial = s.restartBackoffInitial;
      restartBackoffMax = s.restartBackoffMax;
      shutdownGrace = s.shutdownGrace;
      processes = s.processes;
      maxConcurrentCallsPerProcess = s.maxConcurrentCallsPerProcess;
      maxQueuedCalls = s.maxQueuedCalls;
      restartPolicy = s.restartPolicy;
      maxRestarts = s.maxRestarts;
      restartWindow = s.restartWindow;
      restartBackoffMultiplier = s.restartBackoffMultiplier;
      restartBackoffJitter = s.restartBackoffJitter;
      recycleAfterCalls = s.recycleAfterCalls;
      recycleAfterAge = s.recycleAfterAge;
      warmSpares = s.warmSpares;
      maxCallAttempts = s.maxCallAttempts;
      sandbox = s.sandbox;
      maxMetaspaceMegabytes = s.maxMetaspaceMegabytes;
      maxDirectMemoryMegabytes = s.maxDirectMemoryMegabytes;
      threadStackKilobytes = s.threadStackKilobytes;
      activeProcessors = s.activeProcessors;
      maxOpenFiles = s.maxOpenFiles;
      maxTasks = s.maxTasks;
      maxMemoryMegabytes = s.maxMemoryMegabytes;
      cpuSecondsLimit = s.cpuSecondsLimit;
      maxMessageBytes = s.maxMessageBytes;
    }

    public Builder javaExecutable(Path java) {
      this.javaExecutable = checkNotNull(java, "java").toAbsolutePath();
      return this;
    }

    public Builder maxHeapMegabytes(int megabytes) {
      checkArgument(megabytes >= 16, "maxHeapMegabytes must be at least 16, got %s", megabytes);
      this.maxHeapMegabytes = megabytes;
      return this;
    }

    /** Appends JVM options, such as {@code -XX:+UseZGC}. */
    public Builder addJvmOptions(String... options) {
      for (String option : options) {
        checkArgument(option != null && option.startsWith("-"), "not a JVM option: %s", option);
        jvmOptions.add(option);
      }
      return this;
    }

    /** Passes these host environment variables on to the plugin, when the host has them. */
    public Builder inheritEnvironment(String... names) {
      for (String name : names) {
        inheritedEnvironment.add(checkNotNull(name, "name"));
      }
      return this;
    }

    /** Sets an environment variable for the plugin. */
    public Builder environment(String name, String value) {
      environment.put(checkNotNull(name, "name"), checkNotNull(value, "value"));
      return this;
    }

    /**
     * Grants the plugin these host services or permissions, named as {@link Grants} describes
     * ({@code "kv"}, {@code "call:squares"}, {@code "service:billing"}...).
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
     * Grants exactly these, replacing every grant given before (such as the defaults' when this
     * builder came from them): how a plugin is given fewer grants than the defaults.
     *
     * @throws IllegalArgumentException for a name that is not a grant; nothing changes then
     */
    public Builder grants(java.util.Collection<String> names) {
      List<String> checked = names.stream().map(Grants::check).toList();
      grants.clear();
      grants.addAll(checked);
      return this;
    }

    /** See {@link PluginSettings#refuseHostProperties()}. */
    public Builder refuseHostProperties(boolean refuse) {
      this.refuseHostProperties = refuse;
      return this;
    }

    /** Sets one entry of the plugin's own configuration. */
    public Builder config(String key, String value) {
      config.put(checkNotNull(key, "key"), checkNotNull(value, "value"));
      return this;
    }

    /** Replaces the plugin's own configuration. */
    public Builder config(Map<String, String> values) {
      config.clear();
      values.forEach(this::config);
      return this;
    }

    public Builder startTimeout(Duration timeout) {
      this.startTimeout = positive(timeout, "startTimeout");
      return this;
    }

    public Builder callTimeLimit(Duration limit) {
      this.callTimeLimit = positive(limit, "callTimeLimit");
      return this;
    }

    public Builder probeInterval(Duration interval) {
      this.probeInterval = positive(interval, "probeInterval");
      return this;
    }

    public Builder probeTimeout(Duration timeout) {
      this.probeTimeout = positive(timeout, "probeTimeout");
      return this;
    }

    public Builder restartBackoff(Duration initial, Duration max) {
      positive(initial, "initial backoff");
      positive(max, "max backoff");
      checkArgument(max.compareTo(initial) >= 0, "max backoff %s is below initial %s", max, initial);
      // Assigned only once both are checked, so a rejected call leaves the builder as it was.
      this.restartBackoffInitial = initial;
      this.restartBackoffMax = max;
      return this;
    }

    public Builder shutdownGrace(Duration grace) {
      checkNotNull(grace, "shutdownGrace");
      checkArgument(!grace.isNegative(), "shutdownGrace must not be negative, got %s", grace);
      this.shutdownGrace = grace;
      return this;
    }

    public Builder processes(int count) {
      checkArgument(count >= 1 && count <= 256, "processes must be 1 to 256, got %s", count);
      this.processes = count;
      return this;
    }

    public Builder maxConcurrentCallsPerProcess(int calls) {
      checkArgument(calls >= 1, "maxConcurrentCallsPerProcess must be at least 1, got %s", calls);
      this.maxConcurrentCallsPerProcess = calls;
      return this;
    }

    public Builder maxQueuedCalls(int calls) {
      checkArgument(calls >= 0, "maxQueuedCalls must not be negative, got %s", calls);
      this.maxQueuedCalls = calls;
      return this;
    }

    public Builder restartPolicy(RestartPolicy policy) {
      this.restartPolicy = checkNotNull(policy, "policy");
      return this;
    }

    /** More than {@code maxRestarts} restarts within {@code window} and the plugin is FAILED. */
    public Builder restartIntensity(int maxRestarts, Duration window) {
      checkArgument(maxRestarts >= 0, "maxRestarts must not be negative, got %s", maxRestarts);
      Duration checkedWindow = positive(window, "restart window");
      this.maxRestarts = maxRestarts;
      this.restartWindow = checkedWindow;
      return this;
    }

    /** How restart delays grow ({@code multiplier} at least 1) and spread ({@code jitter} 0 to 1). */
    public Builder restartBackoffShape(double multiplier, double jitter) {
      checkArgument(multiplier >= 1.0, "the backoff multiplier must be at least 1, got %s", multiplier);
      checkArgument(jitter >= 0.0 && jitter <= 1.0, "the backoff jitter must be 0 to 1, got %s", jitter);
      this.restartBackoffMultiplier = multiplier;
      this.restartBackoffJitter = jitter;
      return this;
    }

    /** Replace a process after this many calls; 0 means never. */
    public Builder recycleAfterCalls(long calls) {
      checkArgument(calls >= 0, "recycleAfterCalls must not be negative, got %s", calls);
      this.recycleAfterCalls = calls;
      return this;
    }

    /** Replace a process after it has served this long; zero means never. */
    public Builder recycleAfterAge(Duration age) {
      checkNotNull(age, "recycleAfterAge");
      checkArgument(!age.isNegative(), "recycleAfterAge must not be negative, got %s", age);
      this.recycleAfterAge = age;
      return this;
    }

    public Builder warmSpares(int spares) {
      checkArgument(spares >= 0 && spares <= 16, "warmSpares must be 0 to 16, got %s", spares);
      this.warmSpares = spares;
      return this;
    }

    public Builder maxCallAttempts(int attempts) {
      checkArgument(attempts >= 1, "maxCallAttempts must be at least 1, got %s", attempts);
      this.maxCallAttempts = attempts;
      return this;
    }

    public Builder sandbox(SandboxMode mode) {
      this.sandbox = checkNotNull(mode, "mode");
      return this;
    }

    public Builder maxMetaspaceMegabytes(int megabytes) {
      checkArgument(megabytes >= 16, "maxMetaspaceMegabytes must be at least 16, got %s", megabytes);
      this.maxMetaspaceMegabytes = megabytes;
      return this;
    }

    public Builder maxDirectMemoryMegabytes(int megabytes) {
      checkArgument(megabytes >= 1, "maxDirectMemoryMegabytes must be at least 1, got %s", megabytes);
      this.maxDirectMemoryMegabytes = megabytes;
      return this;
    }

    public Builder threadStackKilobytes(int kilobytes) {
      checkArgument(kilobytes == 0 || kilobytes >= 128, "threadStackKilobytes must be 0 or at least 128, got %s", kilobytes);
      this.threadStackKilobytes = kilobytes;
      return this;
    }

    public Builder activeProcessors(int processors) {
      checkArgument(processors >= 0, "activeProcessors must not be negative, got %s", processors);
      this.activeProcessors = processors;
      return this;
    }

    public Builder maxOpenFiles(int files) {
      checkArgument(files >= 64, "maxOpenFiles must be at least 64 (a JVM needs some), got %s", files);
      this.maxOpenFiles = files;
      return this;
    }

    public Builder maxTasks(int tasks) {
      checkArgument(tasks >= 64, "maxTasks must be at least 64 (a JVM starts a few dozen threads), got %s", tasks);
      this.maxTasks = tasks;
      return this;
    }

    public Builder maxMemoryMegabytes(int megabytes) {
      checkArgument(megabytes == 0 || megabytes >= 64, "maxMemoryMegabytes must be 0 or at least 64, got %s", megabytes);
      this.maxMemoryMegabytes = megabytes;
      return this;
    }

    public Builder cpuSecondsLimit(long seconds) {
      checkArgument(seconds >= 0, "cpuSecondsLimit must not be negative, got %s", seconds);
      this.cpuSecondsLimit = seconds;
      return this;
    }

    public Builder maxMessageBytes(int bytes) {
      checkArgument(bytes >= 1024, "maxMessageBytes must be at least 1024, got %s", bytes);
      this.maxMessageBytes = bytes;
      return this;
    }

    public PluginSettings build() {
      return new PluginSettings(this);
    }

    private static Duration positive(Duration value, String name) {
      checkNotNull(value, name);
      checkArgument(!value.isNegative() && !value.isZero(), "%s must be positive, got %s", name, value);
      return value;
    }
  }
}
