package dev.pluginhost.host.internal.runtime;

import static com.google.common.base.Preconditions.checkArgument;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.MapResult;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginListener;
import dev.pluginhost.host.PluginMetrics;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.host.Registration;
import dev.pluginhost.host.RestartPolicy;
import dev.pluginhost.host.internal.CallFutures;
import dev.pluginhost.host.internal.io.OutputLog;
import dev.pluginhost.host.internal.metrics.CallRecorder;
import dev.pluginhost.host.internal.metrics.PluginRecorder;
import io.grpc.Deadline;
import io.grpc.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one plugin serving: runs its pool of processes (and warm spares), routes each call to the
 * least-loaded serving process, queues calls (boundedly) while none is free, replaces processes
 * that die (with backoff, within the restart intensity), recycles old ones after draining them,
 * and retries calls that are safe to retry. This is the {@link PluginHandle} callers hold.
 *
 * <p>All state lives under this object's lock. Work that calls out (into a worker, a listener, a
 * caller's future) happens after the lock is released, so callbacks that come straight back in
 * never see half-made changes.
 */
public final class PluginSupervisor implements PluginHandle {
  private static final Logger log = LoggerFactory.getLogger(PluginSupervisor.class);
  /** How many deaths {@link #deaths()} remembers. */
  static final int DEATH_HISTORY = 20;

  private final String id;
  private final String version;
  private final PluginSettings settings;
  private final WorkerFactory workers;
  private final Timer timer;
  private final RestartBudget budget;
  private final OutputLog output;
  private final PluginRecorder metrics;
  private final PluginListeners listeners;

  private PluginState state = PluginState.NEW;
  private final List<Member> members = new ArrayList<>();
  private final ArrayDeque<Task<?>> queue = new ArrayDeque<>();
  private final ArrayDeque<ProcessDeath> deaths = new ArrayDeque<>();
  private final List<Future<?>> pendingSpawns = new ArrayList<>();
  private int generation;
  private int restarts;
  private boolean failedSinceStart;
  private ProcessDeath lastDeath;
  private List<String> functions = List.of();
  private Set<String> idempotentFunctions = Set.of();
  private SettableFuture<Void> firstAttempt = SettableFuture.create();
  private int firstAttemptPending;
  private SettableFuture<Void> idle = SettableFuture.create();
  /** Where a stop or disable in progress ends. */
  private PluginState windTarget = PluginState.STOPPED;

  /** One process of the pool and what the supervisor knows of it. */
  private static final class Member {
    final Worker worker;
    ProcessInfo.Role role = ProcessInfo.Role.STARTING;
    /** What it becomes once started: SERVING or SPARE. */
    ProcessInfo.Role destination;
    int inFlight;
    long callsStarted;
    long servingSinceNanos;
    DeathCause retireCause;
    String retireDetail;
    /** Serving still, until its replacement is ready; then it drains. */
    boolean retiring;
    Future<?> ageTimer;

    Member(Worker worker, ProcessInfo.Role destination) {
      this.worker = worker;
      this.destination = destination;
    }
  }

  /** The real supervisor of a plugin in a host. */
  public static PluginSupervisor create(
      dev.pluginhost.host.internal.catalog.PluginDescriptor plugin, PluginSettings settings, HostRuntime runtime) {
    return create(plugin, settings, runtime, new OutputLog(plugin.id()));
  }

  /**
   * The supervisor of a new version of {@code previous}'s plugin, writing to the same output log,
   * so the plugin's recent output and its watchers carry on across the upgrade.
   */
  public static PluginSupervisor createNextVersion(
      PluginSupervisor previous,
      dev.pluginhost.host.internal.catalog.PluginDescriptor plugin,
      PluginSettings settings,
      HostRuntime runtime) {
    checkArgument(previous.id().equals(plugin.id()), "plugin %s is not a version of %s", plugin.id(), previous.id());
    return create(plugin, settings, runtime, previous.output);
  }

  private static PluginSupervisor create(
      dev.pluginhost.host.internal.catalog.PluginDescriptor plugin, PluginSettings settings, HostRuntime runtime, OutputLog output) {
    return new PluginSupervisor(
        plugin.id(),
        plugin.version(),
        settings,
        generation -> new PluginProcess(plugin, settings, runtime, generation, output),
        Timer.of(runtime.scheduler),
        new Random(),
        output);
  }

  PluginSupervisor(
      String id, String version, PluginSettings settings, WorkerFactory workers, Timer timer, Random random) {
    this(id, version, settings, workers, timer, random, new OutputLog(id));
  }

  /** @param output the plugin's output log, which the workers {@code workers} makes write to */
  PluginSupervisor(
      String id, String version, PluginSettings settings, WorkerFactory workers, Timer timer, Random random,
      OutputLog output) {
    this.output = checkNotNull(output, "output");
    this.id = checkNotNull(id, "id");
    this.listeners = new PluginListeners(id);
    this.version = checkNotNull(version, "version");
    this.settings = checkNotNull(settings, "settings");
    this.workers = checkNotNull(workers, "workers");
    this.timer = checkNotNull(timer, "timer");
    this.budget = new RestartBudget(settings, random);
    this.metrics = new PluginRecorder(timer::nanoTime);
  }

  // ---------------------------------------------------------------------------------------------
  // Lifecycle

  /**
   * Starts the plugin's processes. The returned future completes when each of the pool's first
   * processes has either served or failed (a failed start is followed by restarts; it never fails the future).
   * Does nothing but return that future if the plugin was started before.
   */
  public ListenableFuture<Void> start() {
    Actions actions = new Actions();
    synchronized (this) {
      if (state != PluginState.NEW) {
        return firstAttempt;
      }
      startPool(actions, "starting " + settings.processes() + " process(es)");
    }
    actions.run();
    return firstAttempt;
  }

  /**
   * Takes the plugin from NEW straight to DISABLED without starting a process, as if an operator
   * had disabled it before the host started; {@link #enableAsync()} starts it. Does nothing unless
   * the plugin is NEW.
   */
  public void startDisabled() {
    Actions actions = new Actions();
    synchronized (this) {
      if (state != PluginState.NEW) {
        return;
      }
      transition(actions, PluginState.DISABLED, -1, "left disabled at start, as an operator asked", null);
      firstAttempt.set(null);
    }
    actions.run();
  }

  /** Must hold the lock. From NEW, FAILED or DISABLED: spawns the whole pool afresh. */
  private void startPool(Actions actions, String reason) {
    failedSinceStart = false;
    if (idle.isDone()) {
      idle = SettableFuture.create();
    }
    transition(actions, PluginState.STARTING, -1, reason, null);
    firstAttemptPending = settings.processes();
    for (int i = 0; i < settings.processes(); i++) {
      spawn(actions, ProcessInfo.Role.SERVING);
    }
    for (int i = 0; i < settings.warmSpares(); i++) {
      spawn(actions, ProcessInfo.Role.SPARE);
    }
  }

  /** Must hold the lock. Creates a worker now and starts it once the lock is released. */
  private void spawn(Actions actions, ProcessInfo.Role destination) {
    Member member = new Member(workers.create(++generation), destination);
    members.add(member);
    actions.add(() -> launch(member));
  }

  private void launch(Member member) {
    ListenableFuture<Void> started = member.worker.start();
    member.worker.death().addListener(
        () -> died(member, Futures.getUnchecked(member.worker.death())), directExecutor());
    Futures.addCallback(
        started,
        new FutureCallback<>() {
          @Override
          public void onSuccess(Void unused) {
            ready(member);
          }

          @Override
          public void onFailure(Throwable t) {
            // Its death, which follows, says why and decides what next.
          }
        },
        directExecutor());
  }

  private void ready(Member member) {
    Actions actions = new Actions();
    synchronized (this) {
      if (!members.contains(member) || member.role != ProcessInfo.Role.STARTING) {
        return;
      }
      if (state == PluginState.STOPPING || state.isIdle()) {
        retire(actions, member, DeathCause.STOPPED_BY_HOST, "was not needed: the plugin is " + lower(state), false);
        return;
      }
      functions = member.worker.functions();
      idempotentFunctions = member.worker.idempotentFunctions();
      // Whichever process is ready first serves first: a spare-to-be fills a gap in the pool, and
      // a server-to-be whose place a spare already took becomes the spare.
      long activeServing =
          members.stream().filter(m -> m.role == ProcessInfo.Role.SERVING && !m.retiring).count();
      long spares = members.stream().filter(m -> m.role == ProcessInfo.Role.SPARE).count();
      member.role =
          activeServing >= settings.processes() && spares < settings.warmSpares()
              ? ProcessInfo.Role.SPARE
              : ProcessInfo.Role.SERVING;
      if (member.role == ProcessInfo.Role.SERVING) {
        beginServing(actions, member);
        members.stream()
            .filter(m -> m.retiring && m.role == ProcessInfo.Role.SERVING)
            .findFirst()
            .ifPresent(old -> drain(actions, old));
        PluginState before = state;
        updateState(actions, member.worker.pid(), "serving as pid " + member.worker.pid());
        if (before == PluginState.RUNNING) {
          event(actions, PluginState.RUNNING, member.worker.pid(), "pid " + member.worker.pid() + " joined the pool", null);
        }
      }
      noteFirstAttempt(member);
      pump(actions);
    }
    actions.run();
  }

  /** Must hold the lock. */
  private void beginServing(Actions actions, Member member) {
    member.role = ProcessInfo.Role.SERVING;
    member.servingSinceNanos = timer.nanoTime();
    Duration maxAge = settings.recycleAfterAge();
    if (!maxAge.isZero()) {
      member.ageTimer =
          timer.schedule(
              () -> {
                Actions later = new Actions();
                synchronized (this) {
                  if (member.role == ProcessInfo.Role.SERVING && state == PluginState.RUNNING) {
                    retire(later, member, DeathCause.RETIRED, "was recycled after serving " + maxAge.toMillis() + " ms", true);
                  }
                }
                later.run();
              },
              maxAge);
    }
  }

  private void died(Member member, ProcessDeath death) {
    Actions actions = new Actions();
    synchronized (this) {
      if (!members.remove(member)) {
        return;
      }
      if (member.ageTimer != null) {
        member.ageTimer.cancel(false);
      }
      ProcessInfo.Role role = member.role;
      lastDeath = death;
      if (!death.cause().wasPlanned()) {
        deaths.addLast(death);
        while (deaths.size() > DEATH_HISTORY) {
          deaths.removeFirst();
        }
      }
      noteFirstAttempt(member);
      if (state == PluginState.STOPPING || state.isIdle()) {
        finishStopIfEmpty(actions);
      } else if (death.cause().wasPlanned()) {
        updateState(actions, death.pid(), "pid " + death.pid() + " " + death.detail());
      } else {
        unplannedDeath(actions, member, role, death);
      }
      pump(actions);
    }
    actions.run();
  }

  /** Must hold the lock. Replaces a process that died on its own, if policy and intensity allow. */
  private void unplannedDeath(Actions actions, Member member, ProcessInfo.Role role, ProcessDeath death) {
    failedSinceStart = true;
    if (role == ProcessInfo.Role.DRAINING || member.retiring) {
      // It was on its way out and its replacement is already arranged; it still counts.
      if (!budget.recordFailure(timer.nanoTime(), Duration.ZERO)) {
        giveUp(actions, "pid " + death.pid() + " " + death.detail() + " while draining; that is "
            + budget.recentRestarts() + " failures within " + settings.restartWindow().toSeconds()
            + " s, more than the " + settings.maxRestarts() + " allowed", death);
        return;
      }
      event(actions, state, death.pid(), "pid " + death.pid() + " " + death.detail() + " while draining", death);
      return;
    }
    boolean cleanExit = death.cause() == DeathCause.EXITED && death.exitCode() == 0;
    RestartPolicy policy = settings.restartPolicy();
    boolean replace = policy == RestartPolicy.ALWAYS || (policy == RestartPolicy.ON_FAILURE && !cleanExit);
    if (!replace) {
      if (members.stream().noneMatch(m -> m.role != ProcessInfo.Role.DRAINING)) {
        giveUp(actions, "pid " + death.pid() + " " + death.detail() + "; restart policy " + policy + " does not replace it", death);
      } else {
        updateState(actions, death.pid(), "pid " + death.pid() + " " + death.detail() + "; not replaced (restart policy " + policy + ")");
      }
      return;
    }
    Duration uptime = member.servingSinceNanos == 0 ? Duration.ZERO : Duration.ofNanos(timer.nanoTime() - member.servingSinceNanos);
    if (!budget.recordFailure(timer.nanoTime(), uptime)) {
      giveUp(
          actions,
          "pid " + death.pid() + " " + death.detail() + "; that is " + budget.recentRestarts()
              + " restarts within " + settings.restartWindow().toSeconds() + " s, more than the "
              + settings.maxRestarts() + " allowed",
          death);
      return;
    }
    restarts++;
    ProcessInfo.Role lost = role == ProcessInfo.Role.STARTING ? member.destination : role;
    String promoted = "";
    if (lost == ProcessInfo.Role.SERVING) {
      Member spare = members.stream().filter(m -> m.role == ProcessInfo.Role.SPARE).findFirst().orElse(null);
      if (spare != null) {
        beginServing(actions, spare);
        promoted = "; spare pid " + spare.worker.pid() + " took its place";
        lost = ProcessInfo.Role.SPARE;
      }
    }
    Duration delay = budget.nextDelay();
    ProcessInfo.Role replacement = lost;
    Future<?>[] handle = new Future<?>[1];
    handle[0] =
        timer.schedule(
            () -> {
              Actions later = new Actions();
              synchronized (this) {
                pendingSpawns.remove(handle[0]);
                if (state == PluginState.STOPPING || state.isIdle()) {
                  return;
                }
                spawn(later, replacement);
              }
              later.run();
            },
            delay);
    pendingSpawns.add(handle[0]);
    String reason = "pid " + death.pid() + " " + death.detail() + promoted + "; restarting in " + delay.toMillis() + " ms";
    PluginState before = state;
    updateState(actions, death.pid(), reason, death);
    if (before == state) {
      event(actions, state, death.pid(), reason, death);
    }
  }

  /** Must hold the lock. The plugin is FAILED: every process goes, every waiting call fails. */
  private void giveUp(Actions actions, String reason, ProcessDeath death) {
    cancelPendingSpawns();
    transition(actions, PluginState.FAILED, death.pid(), reason, death);
    failQueue(actions, notServing("", "is failed: " + reason));
    for (Member member : List.copyOf(members)) {
      actions.add(() -> member.worker.kill(DeathCause.STOPPED_BY_HOST, "was stopped: its plugin failed"));
    }
    firstAttempt.set(null);
    if (members.isEmpty()) {
      idle.set(null);
    }
  }

  /**
   * Must hold the lock. Replaces a process on purpose without failing a call: a ready spare takes
   * its place at once; otherwise a new process is started, and the old one either keeps serving
   * until that one is ready ({@code untilReplaced}: no gap in capacity, for restarts and age) or
   * stops taking calls now (a call limit is a limit; calls wait in the queue meanwhile). Either
   * way it is shut down once the calls it has in flight have ended.
   */
  private void retire(Actions actions, Member member, DeathCause cause, String detail, boolean untilReplaced) {
    if (member.role == ProcessInfo.Role.DRAINING || member.retiring) {
      return;
    }
    member.retireCause = cause;
    member.retireDetail = detail;
    if (member.role != ProcessInfo.Role.SERVING || state == PluginState.STOPPING || state.isIdle()) {
      drain(actions, member);
      return;
    }
    Member spare = members.stream().filter(m -> m.role == ProcessInfo.Role.SPARE).findFirst().orElse(null);
    if (spare != null) {
      beginServing(actions, spare);
      spawn(actions, ProcessInfo.Role.SPARE);
      drain(actions, member);
    } else {
      spawn(actions, ProcessInfo.Role.SERVING);
      if (untilReplaced) {
        member.retiring = true;
      } else {
        drain(actions, member);
      }
    }
  }

  /** Must hold the lock. Takes the process out of rotation; it stops once its calls are done. */
  private void drain(Actions actions, Member member) {
    member.role = ProcessInfo.Role.DRAINING;
    member.retiring = false;
    shutDownIfDrained(actions, member);
  }

  /** Must hold the lock. */
  private void shutDownIfDrained(Actions actions, Member member) {
    if (member.role == ProcessInfo.Role.DRAINING && member.inFlight == 0) {
      DeathCause cause = member.retireCause;
      String detail = member.retireDetail;
      actions.add(() -> member.worker.shutdown(cause, detail, settings.shutdownGrace()));
    }
  }

  /**
   * Stops the plugin for good, as its host stops: new calls fail at once, waiting calls fail,
   * calls in flight may finish within the shutdown grace, then each process runs its stop hook
   * and exits, or is killed. Completes when every process is gone. Idempotent.
   */
  public ListenableFuture<Void> stop() {
    return wind(PluginState.STOPPED, DeathCause.STOPPED_BY_HOST, "was stopped by the host");
  }

  private ListenableFuture<Void> wind(PluginState end, DeathCause cause, String detail) {
    Actions actions = new Actions();
    SettableFuture<Void> done;
    synchronized (this) {
      if (state == PluginState.STOPPED) {
        return Futures.immediateVoidFuture();
      }
      if (state == PluginState.STOPPING) {
        // Already winding down. A stop overrides a disable under way, never the other way round:
        // STOPPED is final, and a disable must not turn a host's stop into something enable undoes.
        if (end == PluginState.STOPPED) {
          windTarget = PluginState.STOPPED;
        }
        return idle;
      }
      windTarget = end;
      cancelPendingSpawns();
      transition(actions, PluginState.STOPPING, -1, end == PluginState.DISABLED ? "disabling" : "stopping", null);
      failQueue(actions, notServing("", "is " + (end == PluginState.DISABLED ? "being disabled" : "stopping")));
      firstAttempt.set(null);
      if (idle.isDone()) {
        idle = SettableFuture.create();
      }
      done = idle;
      for (Member member : List.copyOf(members)) {
        if (member.role == ProcessInfo.Role.SERVING || member.role == ProcessInfo.Role.DRAINING) {
          member.role = ProcessInfo.Role.DRAINING;
          member.retiring = false;
          if (member.retireCause == null || member.retireCause == DeathCause.RETIRED) {
            member.retireCause = cause;
            member.retireDetail = detail;
          }
          shutDownIfDrained(actions, member);
          // Calls still running when the grace is over do not hold the stop up any longer.
          timer.schedule(
              () -> member.worker.shutdown(cause, detail + " (its calls did not drain in time)", settings.shutdownGrace()),
              settings.shutdownGrace());
        } else {
          actions.add(() -> member.worker.kill(cause, detail));
        }
      }
      finishStopIfEmpty(actions);
    }
    actions.run();
    return done;
  }

  /** Must hold the lock. */
  private void finishStopIfEmpty(Actions actions) {
    if (state == PluginState.STOPPING && members.isEmpty()) {
      transition(actions, windTarget, -1, windTarget == PluginState.DISABLED ? "disabled" : "stopped", null);
      SettableFuture<Void> done = idle;
      actions.add(() -> done.set(null));
    } else if (state.isIdle() && members.isEmpty()) {
      SettableFuture<Void> done = idle;
      actions.add(() -> done.set(null));
    }
  }

  /** Kills every process at once, for a host that must stop now. */
  public void kill() {
    List<Member> all;
    synchronized (this) {
      all = List.copyOf(members);
    }
    all.forEach(m -> m.worker.kill(DeathCause.STOPPED_BY_HOST, "was killed by the host as it stopped"));
  }

  @Override
  public ListenableFuture<Void> disableAsync() {
    synchronized (this) {
      if (state == PluginState.DISABLED || state == PluginState.STOPPED) {
        return Futures.immediateVoidFuture();
      }
    }
    return wind(PluginState.DISABLED, DeathCause.STOPPED_BY_HOST, "was stopped: an operator disabled the plugin");
  }

  @Override
  public ListenableFuture<Void> enableAsync() {
    Actions actions = new Actions();
    synchronized (this) {
      if (state != PluginState.DISABLED && state != PluginState.FAILED) {
        return firstAttempt;
      }
      if (!members.isEmpty()) {
        // Processes of the failed pool are still on their way out; they no longer count.
        members.forEach(m -> m.role = ProcessInfo.Role.DRAINING);
      }
      budget.reset();
      firstAttempt = SettableFuture.create();
      startPool(actions, "enabled by an operator");
    }
    actions.run();
    return firstAttempt;
  }

  @Override
  public ListenableFuture<Void> restartAsync() {
    Actions actions = new Actions();
    List<ListenableFuture<ProcessDeath>> old = new ArrayList<>();
    boolean afresh = false;
    synchronized (this) {
      if (state == PluginState.DISABLED || state == PluginState.FAILED) {
        afresh = true;
      } else if (state != PluginState.RUNNING && state != PluginState.RESTARTING && state != PluginState.STARTING) {
        return Futures.immediateFailedFuture(notServing("", "is " + lower(state) + "; it cannot be restarted"));
      } else {
        budget.reset();
        for (Member member : List.copyOf(members)) {
          old.add(member.worker.death());
          if (member.role == ProcessInfo.Role.SERVING) {
            retire(actions, member, DeathCause.RETIRED, "was replaced: an operator restarted the plugin", true);
          } else if (member.role != ProcessInfo.Role.DRAINING) {
            ProcessInfo.Role replacement =
                member.role == ProcessInfo.Role.SPARE ? ProcessInfo.Role.SPARE : member.destination;
            member.role = ProcessInfo.Role.DRAINING;
            member.retireCause = DeathCause.RETIRED;
            member.retireDetail = "was replaced: an operator restarted the plugin";
            actions.add(() -> member.worker.shutdown(DeathCause.RETIRED, member.retireDetail, settings.shutdownGrace()));
            spawn(actions, replacement);
          }
        }
      }
    }
    if (afresh) {
      // Outside the lock: enableAsync starts processes and tells listeners once it has released
      // the lock, which it cannot do while this method still holds it. It forgives the budget too.
      return enableAsync();
    }
    actions.run();
    return Futures.whenAllComplete(old).call(() -> null, directExecutor());
  }

  // ---------------------------------------------------------------------------------------------
  // Calls

  @Override
  public ListenableFuture<byte[]> callAsync(String function, byte[] input, Duration timeout, Map<String, String> metadata) {
    checkNotNull(function, "function");
    checkNotNull(input, "input");
    if (input.length > settings.maxMessageBytes()) {
      metrics.calls.finish(metrics.calls.start(), Status.Code.RESOURCE_EXHAUSTED);
      // Refused here rather than by the plugin: a message that large is never sent at all.
      return Futures.immediateFailedFuture(
          new PluginCallException(
              Status.Code.RESOURCE_EXHAUSTED, id, function, -1,
              "the input to " + id + "." + function + " is " + input.length + " bytes, over the plugin's "
                  + settings.maxMessageBytes() + "-byte message limit",
              null, null, null));
    }
    Deadline deadline = deadlineAfter(timeout);
    Task.Call<byte[]> task =
        new Task.Call<>(function, deadline, timeout, metadata, null,
            (worker, t) -> worker.invoke(t.function, input, t.deadline, t.timeout, t.metadata));
    track(metrics.calls, task.result);
    submit(task);
    return task.result;
  }

  /** Runs a chunk of a map as one call. */
  ListenableFuture<List<CallOutcome>> callBatch(
      String function, List<byte[]> inputs, Deadline deadline, Duration timeout, Map<String, String> metadata, Boolean idempotent) {
    Task.Call<List<CallOutcome>> task =
        new Task.Call<>(function, deadline, timeout, metadata, idempotent,
            (worker, t) -> worker.invokeBatch(t.function, inputs, t.deadline, t.timeout, t.metadata));
    track(metrics.mapChunks, task.result);
    task.result.addListener(
        () -> {
          Status.Code code = PluginRecorder.codeOf(task.result);
          if (code == Status.Code.OK) {
            metrics.mapItems(Futures.getUnchecked(task.result));
          } else {
            metrics.mapItemsFailed(inputs.size(), code);
          }
        },
        directExecutor());
    submit(task);
    return task.result;
  }

  @Override
  public PluginPipe openPipe(String function, Duration timeout, Map<String, String> metadata) {
    checkNotNull(function, "function");
    Task.Pipe task = new Task.Pipe(function, deadlineAfter(timeout), timeout, metadata);
    long start = metrics.pipes.start();
    task.result.addListener(
        () -> {
          Status.Code opened = PluginRecorder.codeOf(task.result);
          if (opened != Status.Code.OK) {
            metrics.pipes.finish(start, opened);
            return;
          }
          TrackedPipe pipe = Futures.getUnchecked(task.result);
          pipe.completion().addListener(
              () -> {
                PluginCallException failure = pipe.failure();
                metrics.pipes.finish(start, failure == null ? Status.Code.OK : failure.code());
              },
              directExecutor());
        },
        directExecutor());
    submit(task);
    return CallFutures.await(task.result);
  }

  @Override
  public List<CallOutcome> map(String function, List<byte[]> inputs, MapOptions options) {
    return CallFutures.await(mapAsync(function, inputs, options));
  }

  @Override
  public ListenableFuture<List<CallOutcome>> mapAsync(String function, List<byte[]> inputs, MapOptions options) {
    return MapRun.ordered(this, function, inputs, options, settings);
  }

  @Override
  public Iterator<MapResult> mapUnordered(String function, List<byte[]> inputs, MapOptions options) {
    return MapRun.unordered(this, function, inputs, options, settings);
  }

  /** Counts a call as started now, and as finished, with its code, when {@code result} completes. */
  private static void track(CallRecorder recorder, ListenableFuture<?> result) {
    long start = recorder.start();
    result.addListener(() -> recorder.finish(start, PluginRecorder.codeOf(result)), directExecutor());
  }

  private static Deadline deadlineAfter(Duration timeout) {
    checkNotNull(timeout, "timeout");
    return Deadline.after(Math.max(0, timeout.toNanos()), TimeUnit.NANOSECONDS);
  }

  /** Sends the task to the least-loaded serving process, or queues it, or fails it at once. */
  void submit(Task<?> task) {
    Actions actions = new Actions();
    synchronized (this) {
      enqueue(actions, task, false);
    }
    actions.run();
  }

  /** Must hold the lock. */
  private void enqueue(Actions actions, Task<?> task, boolean retry) {
    if (task.isDone()) {
      return;
    }
    if (state == PluginState.STOPPING || state.isIdle()) {
      PluginCallException error = notServing(task.function, "is " + lower(state) + describeFailure());
      actions.add(() -> task.fail(error));
      return;
    }
    Member member = leastLoaded();
    if (member != null && queue.isEmpty()) {
      dispatch(actions, member, task);
      return;
    }
    if (!retry && queue.size() >= settings.maxQueuedCalls()) {
      PluginCallException error =
          new PluginCallException(
              Status.Code.RESOURCE_EXHAUSTED, id, task.function, -1,
              "plugin " + id + " has " + queue.size() + " calls waiting already, its limit; try again later",
              null, null, null);
      actions.add(() -> task.fail(error));
      return;
    }
    if (retry) {
      queue.addFirst(task);
    } else {
      queue.addLast(task);
    }
    long remaining = task.deadline.timeRemaining(TimeUnit.NANOSECONDS);
    task.queueTimer = timer.schedule(() -> queueDeadlinePassed(task), Duration.ofNanos(Math.max(0, remaining)));
    task.result.addListener(() -> dropFromQueue(task), directExecutor());
    pump(actions);
  }

  private void queueDeadlinePassed(Task<?> task) {
    PluginCallException error;
    synchronized (this) {
      if (!queue.remove(task)) {
        return;
      }
      error =
          new PluginCallException(
              Status.Code.DEADLINE_EXCEEDED, id, task.function, -1,
              "call to " + id + "." + task.function + " waited its whole " + task.timeout.toMillis()
                  + " ms deadline for a free process (plugin " + lower(state) + ", " + servingCount()
                  + " of " + settings.processes() + " processes serving" + describeFailure() + ")",
              lastDeath, null, null);
    }
    task.fail(error);
  }

  private synchronized void dropFromQueue(Task<?> task) {
    if (task.result.isCancelled()) {
      queue.remove(task);
    }
  }

  /** Must hold the lock. Sends waiting calls to free processes. */
  private void pump(Actions actions) {
    while (!queue.isEmpty()) {
      Member member = leastLoaded();
      if (member == null) {
        return;
      }
      Task<?> task = queue.pollFirst();
      if (task.queueTimer != null) {
        task.queueTimer.cancel(false);
      }
      if (!task.isDone()) {
        dispatch(actions, member, task);
      }
    }
  }

  /** Must hold the lock. */
  private Member leastLoaded() {
    Member best = null;
    for (Member member : members) {
      if (member.role == ProcessInfo.Role.SERVING
          && member.inFlight < settings.maxConcurrentCallsPerProcess()
          && member.worker.acceptsCalls()
          && (best == null
              || (best.retiring && !member.retiring)
              || (best.retiring == member.retiring && member.inFlight < best.inFlight))) {
        best = member;
      }
    }
    return best;
  }

  /** Must hold the lock. */
  private void dispatch(Actions actions, Member member, Task<?> task) {
    member.inFlight++;
    member.callsStarted++;
    if (settings.recycleAfterCalls() > 0 && member.callsStarted >= settings.recycleAfterCalls() && !member.retiring) {
      retire(actions, member, DeathCause.RETIRED, "was recycled after " + member.callsStarted + " calls", false);
    }
    actions.add(
        () -> {
          ListenableFuture<?> attempt;
          try {
            attempt = task.attemptOn(member.worker, this::attemptFailed);
          } catch (RuntimeException e) {
            task.result.setException(e);
            attempt = Futures.immediateVoidFuture();
          }
          attempt.addListener(() -> released(member), directExecutor());
        });
  }

  private void released(Member member) {
    Actions actions = new Actions();
    synchronized (this) {
      member.inFlight--;
      shutDownIfDrained(actions, member);
      pump(actions);
    }
    actions.run();
  }

  /** An attempt failed: try again elsewhere if that is safe and time allows, else fail the call. */
  private void attemptFailed(Task<?> task, PluginCallException error) {
    Actions actions = new Actions();
    synchronized (this) {
      boolean notSent = error instanceof NotSentException;
      if (!notSent) {
        task.attempts++;
      }
      boolean diedUnderIt = error.code() == Status.Code.UNAVAILABLE && error.death().isPresent();
      boolean safe = notSent || (diedUnderIt && task.idempotent(idempotentFunctions));
      boolean retry =
          safe && task.attempts < settings.maxCallAttempts() && !task.deadline.isExpired() && !task.isDone();
      if (retry) {
        log.info("plugin {}: retrying {} after: {}", id, task.function, error.getMessage());
        enqueue(actions, task, true);
      } else {
        actions.add(() -> task.fail(error));
      }
    }
    actions.run();
  }

  /** Must hold the lock. */
  private void failQueue(Actions actions, PluginCallException error) {
    List<Task<?>> waiting = new ArrayList<>(queue);
    queue.clear();
    for (Task<?> task : waiting) {
      if (task.queueTimer != null) {
        task.queueTimer.cancel(false);
      }
      actions.add(() -> task.fail(error));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // State

  /** Must hold the lock. Derives RUNNING, RESTARTING or STARTING from the pool. */
  private void updateState(Actions actions, long pid, String reason) {
    updateState(actions, pid, reason, null);
  }

  private void updateState(Actions actions, long pid, String reason, ProcessDeath death) {
    if (state == PluginState.STOPPING || state.isIdle()) {
      return;
    }
    PluginState next;
    if (servingCount() > 0) {
      next = PluginState.RUNNING;
    } else if (failedSinceStart) {
      next = PluginState.RESTARTING;
    } else if (state == PluginState.RUNNING) {
      // A process replaced on purpose (recycled) left before its replacement serves: nothing
      // failed, calls wait in the queue for a moment, and the plugin counts as running.
      next = PluginState.RUNNING;
    } else {
      next = PluginState.STARTING;
    }
    if (next != state) {
      transition(actions, next, pid, reason, death);
    }
  }

  private int servingCount() {
    int serving = 0;
    for (Member member : members) {
      if (member.role == ProcessInfo.Role.SERVING) {
        serving++;
      }
    }
    return serving;
  }

  /** Must hold the lock. */
  private void noteFirstAttempt(Member member) {
    if (member.destination == ProcessInfo.Role.SERVING && firstAttemptPending > 0) {
      firstAttemptPending--;
      // The pool is at full strength, or as strong as its first attempts could make it.
      if (firstAttemptPending == 0) {
        firstAttempt.set(null);
      }
    }
  }

  private void cancelPendingSpawns() {
    pendingSpawns.forEach(f -> f.cancel(false));
    pendingSpawns.clear();
  }

  private String describeFailure() {
    return lastDeath == null ? "" : "; its last process " + lastDeath.detail();
  }

  private PluginCallException notServing(String function, String why) {
    return CallErrors.notServing(id, function, why, lastDeath);
  }

  private static String lower(PluginState state) {
    return state.name().toLowerCase(Locale.ROOT);
  }

  /** Must hold the lock. */
  private void transition(Actions actions, PluginState to, long pid, String reason, ProcessDeath death) {
    PluginState from = state;
    state = to;
    emit(actions, new PluginEvent(id, from, to, pid, Instant.now(), reason, Optional.ofNullable(death)));
  }

  /** Must hold the lock. An event that does not change the state: something in the pool. */
  private void event(Actions actions, PluginState same, long pid, String reason, ProcessDeath death) {
    emit(actions, new PluginEvent(id, same, same, pid, Instant.now(), reason, Optional.ofNullable(death)));
  }

  private void emit(Actions actions, PluginEvent event) {
    log.info("plugin {}", event);
    actions.add(listeners.deliveryOf(event));
  }

  // ---------------------------------------------------------------------------------------------
  // Views

  @Override
  public String id() {
    return id;
  }

  @Override
  public String version() {
    return version;
  }

  @Override
  public synchronized PluginState state() {
    return state;
  }

  @Override
  public synchronized OptionalLong pid() {
    for (Member member : members) {
      if (member.role == ProcessInfo.Role.SERVING) {
        return OptionalLong.of(member.worker.pid());
      }
    }
    return OptionalLong.empty();
  }

  @Override
  public List<ProcessInfo> processes() {
    List<ProcessInfo> infos = new ArrayList<>();
    List<Worker> workersNow = new ArrayList<>();
    synchronized (this) {
      long now = timer.nanoTime();
      for (Member member : members) {
        Duration uptime = member.servingSinceNanos == 0 ? Duration.ZERO : Duration.ofNanos(now - member.servingSinceNanos);
        infos.add(new ProcessInfo(member.worker.pid(), member.role, member.inFlight, member.callsStarted, uptime, -1));
        workersNow.add(member.worker);
      }
    }
    // Memory is read from /proc, a file per process: outside the lock, so calls never wait on it.
    for (int i = 0; i < infos.size(); i++) {
      ProcessInfo info = infos.get(i);
      infos.set(
          i,
          new ProcessInfo(
              info.pid(), info.role(), info.callsInFlight(), info.callsStarted(), info.uptime(),
              workersNow.get(i).residentBytes()));
    }
    return infos;
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
  public synchronized List<ProcessDeath> deaths() {
    return List.copyOf(deaths);
  }

  @Override
  public synchronized List<String> functions() {
    return functions;
  }

  @Override
  public Registration addListener(PluginListener listener, Executor executor) {
    return listeners.add(listener, executor);
  }

  @Override
  public PluginMetrics metrics() {
    return metrics.snapshot();
  }

  @Override
  public List<OutputLine> recentOutput(int maxLines) {
    return output.recent(maxLines);
  }

  @Override
  public Registration watchOutput(Consumer<OutputLine> listener, Executor executor) {
    return output.watch(listener, executor);
  }

  /** Work decided under the lock, done after it is released, in order. */
  private static final class Actions {
    private final List<Runnable> work = new ArrayList<>();

    void add(Runnable runnable) {
      work.add(runnable);
    }

    void run() {
      for (Runnable runnable : work) {
        try {
          runnable.run();
        } catch (RuntimeException e) {
          log.error("supervision step failed", e);
        }
      }
    }
  }
}
