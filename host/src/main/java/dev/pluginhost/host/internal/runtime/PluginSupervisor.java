package dev.pluginhost.host.internal.runtime;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.internal.CallFutures;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one plugin serving: starts its process, notices its death, restarts it with backoff, and
 * routes calls to whichever process serves now. This is the {@link PluginHandle} callers hold.
 *
 * <p>All state changes happen under this object's lock; listeners and callers are notified
 * outside it.
 */
public final class PluginSupervisor implements PluginHandle {
  private static final Logger log = LoggerFactory.getLogger(PluginSupervisor.class);
  /** A process that served this long before dying resets the backoff. */
  private static final Duration STABLE_UPTIME = Duration.ofSeconds(10);

  private final PluginDescriptor plugin;
  private final PluginSettings settings;
  private final HostRuntime runtime;
  private final CopyOnWriteArrayList<Registered> listeners = new CopyOnWriteArrayList<>();

  private PluginState state = PluginState.NEW;
  private PluginProcess current;
  private SettableFuture<PluginProcess> ready = SettableFuture.create();
  private final SettableFuture<Void> firstAttempt = SettableFuture.create();
  private ScheduledFuture<?> pendingRestart;
  private int generation;
  private int restarts;
  private int consecutiveFailures;
  private ProcessDeath lastDeath;
  private volatile List<String> functions = List.of();

  public PluginSupervisor(PluginDescriptor plugin, PluginSettings settings, HostRuntime runtime) {
    this.plugin = checkNotNull(plugin, "plugin");
    this.settings = checkNotNull(settings, "settings");
    this.runtime = checkNotNull(runtime, "runtime");
  }

  /**
   * Starts the plugin's first process. The returned future completes when that first attempt has
   * either served or failed (a failed start is followed by restarts; it never fails the future).
   */
  public ListenableFuture<Void> start() {
    synchronized (this) {
      if (state != PluginState.NEW) {
        return firstAttempt;
      }
      transition(PluginState.STARTING, -1, "starting", null);
      launch();
    }
    return firstAttempt;
  }

  /** Must hold the lock. */
  private void launch() {
    pendingRestart = null;
    PluginProcess process = new PluginProcess(plugin, settings, runtime, ++generation);
    current = process;
    ListenableFuture<Void> serving = process.start();
    Futures.addCallback(
        serving,
        new FutureCallback<>() {
          @Override
          public void onSuccess(Void unused) {
            serving(process);
          }

          @Override
          public void onFailure(Throwable t) {
            // The death listener below handles it; the first attempt is over either way.
            firstAttempt.set(null);
          }
        },
        directExecutor());
    process.death().addListener(() -> died(process, Futures.getUnchecked(process.death())), directExecutor());
  }

  private void serving(PluginProcess process) {
    synchronized (this) {
      if (process != current || state == PluginState.STOPPING || state.isTerminal()) {
        return;
      }
      functions = process.functions();
      transition(PluginState.RUNNING, process.pid(), "serving as pid " + process.pid(), null);
      ready.set(process);
    }
    firstAttempt.set(null);
  }

  private void died(PluginProcess process, ProcessDeath death) {
    synchronized (this) {
      if (process != current) {
        return;
      }
      lastDeath = death;
      if (state == PluginState.STOPPING || state.isTerminal()) {
        return;
      }
      if (process.uptime().compareTo(STABLE_UPTIME) >= 0) {
        consecutiveFailures = 0;
      }
      Duration delay = backoff(consecutiveFailures++);
      if (ready.isDone()) {
        ready = SettableFuture.create();
      }
      restarts++;
      transition(
          PluginState.RESTARTING,
          death.pid(),
          "pid " + death.pid() + " " + death.detail() + "; restarting in " + delay.toMillis() + " ms",
          death);
      pendingRestart =
          runtime.scheduler.schedule(this::restartNow, delay.toNanos(), TimeUnit.NANOSECONDS);
    }
  }

  private void restartNow() {
    synchronized (this) {
      if (state != PluginState.RESTARTING) {
        return;
      }
      launch();
    }
  }

  private Duration backoff(int failures) {
    long initial = settings.restartBackoffInitial().toNanos();
    long max = settings.restartBackoffMax().toNanos();
    long delay = initial << Math.min(failures, 30);
    return Duration.ofNanos(delay <= 0 || delay > max ? max : delay);
  }

  /**
   * Stops the plugin: new calls fail at once, calls in flight may finish until the shutdown
   * grace, then the runner runs the stop hook and exits, and is killed if it overstays. Completes
   * when the process is gone. Idempotent.
   */
  public ListenableFuture<Void> stop() {
    PluginProcess process;
    synchronized (this) {
      if (state == PluginState.STOPPED) {
        return Futures.immediateVoidFuture();
      }
      if (pendingRestart != null) {
        pendingRestart.cancel(false);
      }
      transition(PluginState.STOPPING, current == null ? -1 : current.pid(), "stopping", null);
      ready.setException(CallErrors.notServing(plugin.id(), "", "is stopping", lastDeath));
      process = current;
    }
    firstAttempt.set(null);
    if (process == null) {
      markStopped();
      return Futures.immediateVoidFuture();
    }
    Duration grace = settings.shutdownGrace();
    ListenableFuture<?> drained =
        Futures.catching(
            Futures.withTimeout(process.drained(), grace.toNanos(), TimeUnit.NANOSECONDS, runtime.scheduler),
            TimeoutException.class,
            e -> null,
            directExecutor());
    ListenableFuture<ProcessDeath> gone =
        Futures.transformAsync(drained, unused -> process.shutdown(grace), directExecutor());
    return Futures.transform(
        gone,
        death -> {
          synchronized (this) {
            lastDeath = death;
          }
          markStopped();
          return null;
        },
        directExecutor());
  }

  /** Kills the plugin's process at once, for a host that must stop now. */
  public void kill() {
    PluginProcess process;
    synchronized (this) {
      process = current;
    }
    if (process != null) {
      process.kill(dev.pluginhost.host.DeathCause.STOPPED_BY_HOST, "was killed by the host as it stopped");
    }
  }

  private void markStopped() {
    synchronized (this) {
      if (state != PluginState.STOPPED) {
        transition(PluginState.STOPPED, -1, "stopped", null);
      }
    }
  }

  @Override
  public ListenableFuture<byte[]> callAsync(
      String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    checkNotNull(function, "function");
    checkNotNull(input, "input");
    checkNotNull(timeout, "timeout");
    Map<String, String> callMetadata = Map.copyOf(metadata);
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    ListenableFuture<PluginProcess> process = awaitServing(function, deadline, timeout);
    return Futures.transformAsync(
        process,
        p -> UnaryCall.start(p, function, input, deadline, timeout, callMetadata),
        directExecutor());
  }

  @Override
  public PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    checkNotNull(function, "function");
    checkNotNull(timeout, "timeout");
    Map<String, String> callMetadata = Map.copyOf(metadata);
    Deadline deadline = Deadline.after(timeout.toNanos(), TimeUnit.NANOSECONDS);
    PluginProcess process = CallFutures.await(awaitServing(function, deadline, timeout));
    return HostPipe.open(process, function, deadline, timeout, callMetadata);
  }

  /** The serving process, once there is one, or a typed failure by the deadline. */
  private ListenableFuture<PluginProcess> awaitServing(String function, Deadline deadline, Duration timeout) {
    SettableFuture<PluginProcess> waitFor;
    PluginState now;
    synchronized (this) {
      now = state;
      waitFor = ready;
      if (!now.acceptsCalls()) {
        return Futures.immediateFailedFuture(
            CallErrors.notServing(plugin.id(), function, "is " + now.name().toLowerCase(java.util.Locale.ROOT), lastDeath));
      }
    }
    if (waitFor.isDone()) {
      return waitFor;
    }
    ListenableFuture<PluginProcess> bounded =
        Futures.withTimeout(
            Futures.nonCancellationPropagating(waitFor),
            Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)),
            TimeUnit.NANOSECONDS,
            runtime.scheduler);
    return Futures.catchingAsync(
        bounded,
        TimeoutException.class,
        e -> {
          ProcessDeath death;
          PluginState stateNow;
          synchronized (this) {
            death = lastDeath;
            stateNow = state;
          }
          return Futures.immediateFailedFuture(
              new PluginCallException(
                  Status.Code.DEADLINE_EXCEEDED,
                  plugin.id(),
                  function,
                  -1,
                  "plugin " + plugin.id() + " was " + stateNow.name().toLowerCase(java.util.Locale.ROOT)
                      + " and did not serve within the call's " + CallErrors.millis(timeout) + " deadline"
                      + (death == null ? "" : "; its last process " + death.detail()),
                  death,
                  null,
                  null));
        },
        directExecutor());
  }

  @Override
  public String id() {
    return plugin.id();
  }

  @Override
  public String version() {
    return plugin.version();
  }

  @Override
  public synchronized PluginState state() {
    return state;
  }

  @Override
  public synchronized OptionalLong pid() {
    return state == PluginState.RUNNING && current != null ? OptionalLong.of(current.pid()) : OptionalLong.empty();
  }

  @Override
  public synchronized int restartCount() {
    return restarts;
  }

  @Override
  public synchronized Optional<ProcessDeath> lastDeath() {
    return Optional.ofNullable(lastDeath);
  }

  @Override
  public List<String> functions() {
    return functions;
  }

  @Override
  public void addListener(PluginListener listener, Executor executor) {
    listeners.add(new Registered(listener, MoreExecutors.newSequentialExecutor(executor)));
  }

  /** Must hold the lock. Listeners run on their executors, in order, never under this lock. */
  private void transition(PluginState to, long pid, String reason, ProcessDeath death) {
    PluginState from = state;
    state = to;
    PluginEvent event =
        new PluginEvent(plugin.id(), from, to, pid, Instant.now(), reason, Optional.ofNullable(death));
    log.info("plugin {}", event);
    for (Registered registered : listeners) {
      registered.executor.execute(
          () -> {
            try {
              registered.listener.onEvent(event);
            } catch (RuntimeException e) {
              log.warn("a listener of plugin {} threw", plugin.id(), e);
            }
          });
    }
  }

  private record Registered(PluginListener listener, Executor executor) {}
}
