package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.SandboxMode;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.internal.Directories;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import dev.pluginhost.host.internal.io.OutputDrain;
import dev.pluginhost.host.internal.io.OutputLog;
import dev.pluginhost.host.internal.io.OutputTail;
import dev.pluginhost.host.internal.services.ProcessServices;
import dev.pluginhost.host.internal.services.ServiceCaller;
import dev.pluginhost.host.internal.spawn.ChildProcess;
import dev.pluginhost.host.internal.spawn.Cgroups;
import dev.pluginhost.host.internal.spawn.Sandbox;
import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import dev.pluginhost.host.internal.spawn.HostProperties;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import dev.pluginhost.host.internal.spawn.ProcessMemory;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.FunctionInfo;
import dev.pluginhost.proto.runner.v1.RunnerBootstrap;
import dev.pluginhost.proto.runner.v1.ShutdownRequest;
import dev.pluginhost.proto.runner.v1.StartPluginRequest;
import dev.pluginhost.proto.runner.v1.StartPluginResponse;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JVM run of a plugin, from spawn to death. One-shot: it never restarts; the supervisor makes
 * a new one. It owns the child process, its output drains, its channel, the calls in flight on
 * it, and the record of how it ended.
 *
 * <p>Thread-safe. {@link #death()} completes exactly once, and before it does, every call in
 * flight on this process has been failed with the reason.
 */
public final class PluginProcess implements Worker {
  private static final Logger log = LoggerFactory.getLogger(PluginProcess.class);
  private static final int TAIL_LINES = 30;
  private static final double LOG_LINES_PER_SECOND = 200;
  private static final long DRAIN_WAIT_MILLIS = 50;
  private static final Path SETSID = Path.of("/usr/bin/setsid");

  final PluginDescriptor plugin;
  final PluginSettings settings;
  final HostRuntime runtime;
  private final int generation;
  private final OutputLog output;
  private final OutputTail tail = new OutputTail(TAIL_LINES);
  private final SettableFuture<Void> reportedReady = SettableFuture.create();
  private final SettableFuture<Void> serving = SettableFuture.create();
  private final SettableFuture<ProcessDeath> death = SettableFuture.create();
  private final Set<InFlight> inFlight = ConcurrentHashMap.newKeySet();
  private volatile List<String> functions = List.of();
  private volatile Set<String> idempotentFunctions = Set.of();
  private volatile long pid = -1;
  private volatile ChildProcess child;
  private volatile RunnerClient client;
  private DeathCause intendedCause;
  /** Why a kill was ordered, once one was: from then on the process takes no new calls. */
  private volatile String condemnedFor;
  private String intendedDetail;
  private Path runDirectory;
  private Path socketDirectory;
  private volatile Cgroups.Group cgroups;
  /** The host services of this process, when the plugin holds a service grant. */
  private volatile ProcessServices services;
  private static final OnceWarning SANDBOX_WARNING =
      new OnceWarning("plugins run without the OS sandbox (settings say AUTO, and it is not available): {}");

  /** @param output the plugin's log of recent output, which this process's lines join */
  public PluginProcess(
      PluginDescriptor plugin, PluginSettings settings, HostRuntime runtime, int generation, OutputLog output) {
    this.plugin = plugin;
    this.settings = settings;
    this.runtime = runtime;
    this.generation = generation;
    this.output = output;
  }

  @Override
  public long pid() {
    return pid;
  }


  @Override
  public long residentBytes() {
    long current = pid;
    return current > 0 && !death.isDone() ? ProcessMemory.residentBytes(current) : -1;
  }

  @Override
  public List<String> functions() {
    return functions;
  }

  @Override
  public Set<String> idempotentFunctions() {
    return idempotentFunctions;
  }

  @Override
  public ListenableFuture<byte[]> invoke(
      String function, byte[] input, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    return TrackedCall.unary(this, function, input, deadline, timeout, metadata);
  }

  @Override
  public ListenableFuture<List<CallOutcome>> invokeBatch(
      String function, List<byte[]> inputs, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    return TrackedCall.batch(this, function, inputs, deadline, timeout, metadata);
  }

  @Override
  public TrackedPipe openPipe(String function, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    return HostPipe.open(this, function, deadline, timeout, metadata);
  }

  /** Completes once, with how the process ended. */
  @Override
  public ListenableFuture<ProcessDeath> death() {
    return death;
  }


  RunnerClient client() {
    return client;
  }

  /**
   * Spawns the JVM, waits for it to report ready, checks it in the handshake, and runs the start
   * hook, all within the start timeout. Completes when the plugin serves; fails with a
   * {@link StartFailedException} (after the process is gone) otherwise. Call once.
   */
  @Override
  public ListenableFuture<Void> start() {
    Deadline deadline = Deadline.after(settings.startTimeout().toNanos(), TimeUnit.NANOSECONDS);
    try {
      spawn();
    } catch (IOException | RuntimeException e) {
      log.error("plugin {}: cannot spawn its JVM", plugin.id(), e);
      recordDeath(
          new ProcessDeath(
              plugin.id(), -1, Instant.now(), DeathCause.FAILED_START, -1,
              "could not be spawned: " + e.getMessage(), List.of(), Optional.empty()));
      return serving;
    }
    ListenableFuture<Void> ready =
        Futures.catchingAsync(
            Futures.withTimeout(reportedReady, remainingNanos(deadline), TimeUnit.NANOSECONDS, runtime.scheduler),
            TimeoutException.class,
            e -> Futures.immediateFailedFuture(
                new StartStepException("did not report ready within " + CallErrors.millis(settings.startTimeout()) + " of spawning")),
            directExecutor());
    ListenableFuture<StartPluginResponse> started =
        Futures.transformAsync(
            Futures.transformAsync(ready, unused -> client.handshake(WireProtocol.VERSION, deadline), directExecutor()),
            handshake -> {
              log.debug("plugin {} pid {}: handshake done, protocol v{}", plugin.id(), pid, handshake.getProtocolVersion());
              return client.futureStub()
                  .withDeadline(deadline)
                  .startPlugin(StartPluginRequest.newBuilder().putAllConfig(settings.config()).build());
            },
            directExecutor());
    Futures.addCallback(
        started,
        new FutureCallback<>() {
          @Override
          public void onSuccess(StartPluginResponse response) {
            functions = response.getFunctionsList().stream().map(FunctionInfo::getName).toList();
            idempotentFunctions =
                response.getFunctionsList().stream()
                    .filter(FunctionInfo::getIdempotent)
                    .map(FunctionInfo::getName)
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
            if (serving.set(null)) {
              new ProcessWatchdog(PluginProcess.this).start();
            }
          }

          @Override
          public void onFailure(Throwable t) {
            if (!death.isDone()) {
              kill(DeathCause.FAILED_START, describeStartFailure(t));
            }
          }
        },
        directExecutor());
    return serving;
  }

  private String describeStartFailure(Throwable t) {
    if (t instanceof StartStepException || t instanceof RunnerClient.HandshakeException) {
      return "failed to start: " + t.getMessage();
    }
    if (t instanceof StatusRuntimeException) {
      Status status = ((StatusRuntimeException) t).getStatus();
      if (status.getCause() instanceof SpawnedPeerCheck.PeerMismatchException) {
        return "failed to start: " + status.getCause().getMessage();
      }
      if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        return "failed to start: did not finish starting (handshake and start hook) within "
            + CallErrors.millis(settings.startTimeout());
      }
      return "failed to start: " + status.getDescription();
    }
    return "failed to start: " + t;
  }

  private void spawn() throws IOException {
    Path pluginWork = runtime.workRoot.resolve(plugin.id());
    Files.createDirectories(pluginWork);
    runDirectory = Files.createTempDirectory(pluginWork, "run-" + generation + "-");
    Path tmp = Files.createDirectory(runDirectory.resolve("tmp"));
    Path data = Files.createDirectories(runtime.dataRoot.resolve(plugin.id()));
    socketDirectory = Files.createTempDirectory(runtime.socketRoot, plugin.id() + "-");
    Path socket = socketDirectory.resolve("r.sock");
    if (socket.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 100) {
      throw new IOException("socket path too long for a Unix socket: " + socket);
    }
    byte[] token = RunnerClient.newToken();
    Path servicesSocket = null;
    if (ServiceCaller.needsServices(settings.grants())) {
      // Bound before the spawn, so the socket is the host's before the plugin could take its name.
      servicesSocket = socketDirectory.resolve(WireProtocol.HOST_SERVICES_SOCKET);
      services =
          ProcessServices.open(
              runtime.services,
              new ServiceCaller(plugin.id(), plugin.version(), settings.grants(), () -> pid, output::add),
              servicesSocket, token, runtime.eventLoops, settings.maxMessageBytes());
    }
    Optional<ClassDataArchive> classData = runtime.classData.readyArchive(settings);
    List<String> command =
        JvmCommand.command(
            settings, runtime.runnerJar, tmp, classData.map(ClassDataArchive::useOptions).orElse(List.of()));
    // How the runner will see this host on its socket: in a PID namespace of its own, as pid 0.
    long hostPeerPid = ProcessHandle.current().pid();
    if (settings.sandbox() != SandboxMode.OFF) {
      Sandbox.Availability sandbox = runtime.sandbox();
      if (sandbox.available()) {
        List<Path> readOnly = new ArrayList<>();
        readOnly.add(runtime.runnerJar);
        classData.ifPresent(archive -> readOnly.add(archive.file()));
        readOnly.addAll(plugin.classpath());
        command =
            sandbox.sandbox().wrap(
                command, runDirectory, readOnly, List.of(runDirectory, data, socketDirectory),
                settings.grants().contains(Grants.NETWORK));
        hostPeerPid = 0;
      } else if (settings.sandbox() == SandboxMode.REQUIRED) {
        throw new IOException("its sandbox is REQUIRED but not available on this machine: " + sandbox.problem());
      } else {
        SANDBOX_WARNING.warnOnce(sandbox.problem());
      }
    }
    if (hostPeerPid != 0 && Files.isExecutable(SETSID)) {
      // A session and process group of its own, as the sandbox gives it: a Ctrl-C or SIGHUP sent to
      // the host's terminal or group must not reach the plugin, which the host stops by draining.
      // The spawned process is never a group leader, so setsid executes in place: the pid holds.
      List<String> own = new ArrayList<>();
      own.add(SETSID.toString());
      own.addAll(command);
      command = own;
    }
    if (runtime.limits != null) {
      command = runtime.limits.wrap(command, settings);
    }
    if (runtime.cgroups != null) {
      cgroups = runtime.cgroups.create("pluginhost-" + ProcessHandle.current().pid() + "-" + runDirectory.getFileName(), settings);
      command = cgroups.wrap(command);
    }
    ChildProcess process =
        runtime.launcher.launch(
            command, JvmCommand.environment(settings, runtime.hostEnvironment), runDirectory);
    child = process;
    pid = process.pid();
    OutputDrain out =
        new OutputDrain(
                plugin.id(), pid, OutputLine.Stream.STDOUT, process.stdout(), tail, output::add,
                LOG_LINES_PER_SECOND, this::interceptReadyLine)
            .start();
    OutputDrain err =
        new OutputDrain(
                plugin.id(), pid, OutputLine.Stream.STDERR, process.stderr(), tail, output::add,
                LOG_LINES_PER_SECOND, line -> false)
            .start();
    client = RunnerClient.connect(socket, token, pid, runtime.eventLoops, settings.maxMessageBytes());
    process.onExit().whenComplete((code, error) -> afterExit(code == null ? -1 : code, out, err));
    try {
      OutputStream stdin = process.stdin();
      RunnerBootstrap.newBuilder()
          .setProtocolVersion(WireProtocol.VERSION)
          .setSocketPath(socket.toString())
          .setAuthToken(com.google.protobuf.ByteString.copyFrom(token))
          .setPluginId(plugin.id())
          .addAllPluginClasspath(plugin.classpath().stream().map(Path::toString).toList())
          .setDataDirectory(data.toString())
          .setMaxMessageBytes(settings.maxMessageBytes())
          .setHostPeerPid(hostPeerPid)
          .addAllGrants(settings.grants())
          .setHostServicesSocket(servicesSocket == null ? "" : servicesSocket.toString())
          .addAllHostPropertyNames(
              settings.refuseHostProperties() ? HostProperties.applicationNames(System.getProperties()) : List.of())
          .build()
          .writeDelimitedTo(stdin);
      stdin.flush();
      // stdin stays open: it is the runner's lifeline to this host.
    } catch (IOException e) {
      // The process died before reading; its exit is on the way and will say why.
      log.debug("plugin {} pid {}: could not write the bootstrap", plugin.id(), pid, e);
    }
    log.info("plugin {}: spawned pid {}", plugin.id(), pid);
  }

  private boolean interceptReadyLine(String line) {
    if (!reportedReady.isDone() && line.equals(WireProtocol.READY_LINE)) {
      reportedReady.set(null);
      return true;
    }
    return false;
  }

  /**
   * Kills the whole process tree, recording {@code cause} and {@code detail} as the reason. Only
   * the first reason given counts. Returns at once; {@link #death()} follows.
   */
  @Override
  public void kill(DeathCause cause, String detail) {
    if (death.isDone()) {
      return;
    }
    synchronized (this) {
      if (intendedCause == null && !death.isDone()) {
        intendedCause = cause;
        intendedDetail = detail;
      }
    }
    condemn(detail);
    ChildProcess process = child;
    if (process != null) {
      log.warn("plugin {} pid {}: killing: {}", plugin.id(), pid, detail);
      process.destroyTree();
    }
    Cgroups.Group group = cgroups;
    if (group != null) {
      group.killAll();
    }
  }

  /**
   * Kills the process with {@link DeathCause#TASK_LIMIT} if the kernel has refused it a thread or
   * process at its task limit; returns whether it did. The health probes call it: the kernel only
   * refuses, so nothing else would end a plugin stuck at its limit (or a fork bomb it left behind).
   */
  boolean killIfTaskLimitHit() {
    String taskLimit = taskLimitHit();
    if (taskLimit == null || death.isDone()) {
      return false;
    }
    kill(DeathCause.TASK_LIMIT, "was killed: it " + taskLimit);
    return true;
  }

  /** "hit its limit of N threads and processes" if the kernel refused it one at the limit, else null. */
  private String taskLimitHit() {
    Cgroups.Group group = cgroups;
    if (group == null || group.taskLimitHits() == 0) {
      return null;
    }
    return "hit its limit of " + settings.maxTasks() + " threads and processes";
  }

  /**
   * Stops the plugin gracefully: asks the runner to run the stop hook and exit within
   * {@code grace}, and kills it if it has not exited shortly after. Returns the death.
   */
  @Override
  public ListenableFuture<ProcessDeath> shutdown(DeathCause cause, String detail, Duration grace) {
    synchronized (this) {
      if (intendedCause == null && !death.isDone()) {
        intendedCause = cause;
        intendedDetail = detail;
      }
    }
    RunnerClient current = client;
    if (current != null && !death.isDone()) {
      current.futureStub()
          .withDeadline(Deadline.after(grace.toMillis() + 1000, TimeUnit.MILLISECONDS))
          .shutdown(ShutdownRequest.newBuilder().setGraceMillis(grace.toMillis()).build());
      runtime.scheduler.schedule(
          () -> {
            if (!death.isDone()) {
              kill(cause, detail + " (killed: it did not exit within its " + CallErrors.millis(grace) + " grace)");
            }
          },
          grace.toMillis() + 1000,
          TimeUnit.MILLISECONDS);
    } else {
      kill(cause, detail);
    }
    return death;
  }

  /**
   * Registers a call; returns false (and registers nothing) if the process has already died, in
   * which case the caller must fail the call with {@link #deathNow()}.
   */
  boolean register(InFlight call) {
    inFlight.add(call);
    call.completion().addListener(() -> inFlight.remove(call), directExecutor());
    if (death.isDone() || condemnedFor != null) {
      inFlight.remove(call);
      return false;
    }
    return true;
  }

  /**
   * Takes no new calls from now on, because of {@code detail} (such as "was killed as hung: ..."),
   * ahead of a kill about to be ordered. The first reason given is kept.
   */
  void condemn(String detail) {
    synchronized (this) {
      if (condemnedFor == null) {
        condemnedFor = detail;
      }
    }
  }

  @Override
  public boolean acceptsCalls() {
    return condemnedFor == null && !death.isDone();
  }

  /** Why a call cannot be sent to this process: its death, or the kill it is waiting for. */
  NotSentException notSent(String function) {
    ProcessDeath dead = deathNow();
    if (dead != null) {
      return new NotSentException(plugin.id(), function, dead);
    }
    return new NotSentException(plugin.id(), function, pid, "is going away (it " + condemnedFor + ")");
  }

  /** The death, if the process has died. */
  ProcessDeath deathNow() {
    return death.isDone() ? Futures.getUnchecked(death) : null;
  }

  private void afterExit(int exitCode, OutputDrain out, OutputDrain err) {
    // The process is gone: its locks go to their next waiters now, not after the verdict.
    closeServices();
    // Give the drains a moment to read the last lines the process wrote, which often say why it
    // died; a grandchild holding the pipes open must not delay the verdict, hence the bound.
    ListenableFuture<?> drained =
        Futures.withTimeout(
            Futures.nonCancellationPropagating(Futures.successfulAsList(out.finished(), err.finished())),
            DRAIN_WAIT_MILLIS, TimeUnit.MILLISECONDS, runtime.scheduler);
    drained.addListener(() -> recordDeath(describeExit(exitCode)), directExecutor());
  }

  private ProcessDeath describeExit(int exitCode) {
    DeathCause cause;
    String detail;
    synchronized (this) {
      cause = intendedCause;
      detail = intendedDetail;
    }
    List<String> lastOutput = tail.snapshot();
    Path errorReport = keepErrorReport();
    String taskLimit = taskLimitHit();
    if (cause == null) {
      String during = serving.isDone() ? "" : " while starting";
      if (exitCode > 128 && cgroups != null && cgroups.memoryKill().isPresent()) {
        cause = DeathCause.OUT_OF_MEMORY;
        detail = cgroups.memoryKill().get() + during + (taskLimit != null ? "; it had " + taskLimit : "");
      } else if (taskLimit != null) {
        // Whatever it died of next (a Java thread bomb's "unable to create native thread" is an
        // OutOfMemoryError, exit code 3), the limit is what it ran into.
        cause = DeathCause.TASK_LIMIT;
        detail = taskLimit + during + ", then " + (exitCode > 128
            ? "was killed by signal " + (exitCode - 128) + signalName(exitCode - 128)
            : "exited with code " + exitCode);
      } else if (exitCode == 3 && lastOutput.stream().anyMatch(l -> l.contains("OutOfMemoryError"))) {
        cause = DeathCause.OUT_OF_MEMORY;
        detail = "ran out of memory" + during + " and exited (code 3)";
      } else if (exitCode == 128 + 24) {
        cause = DeathCause.CPU_LIMIT;
        detail = "used up its CPU time limit of " + settings.cpuSecondsLimit() + " s" + during;
      } else if (exitCode > 128) {
        cause = DeathCause.SIGNALED;
        detail = "was killed by signal " + (exitCode - 128) + signalName(exitCode - 128) + during;
      } else {
        cause = DeathCause.EXITED;
        detail = "exited with code " + exitCode + during;
      }
      if (errorReport != null && (cause == DeathCause.EXITED || cause == DeathCause.SIGNALED)) {
        // HotSpot ends a crashed JVM with exit(1) when core dumps are off, and by SIGABRT when on.
        cause = DeathCause.JVM_CRASH;
        detail = "crashed (" + ErrorReports.fault(errorReport) + ") and " + detail;
      }
      if (errorReport != null) {
        detail += "; the JVM's error report is " + errorReport;
      } else if (!lastOutput.isEmpty()) {
        detail += "; last output: " + lastOutput.get(lastOutput.size() - 1);
      }
    } else if (taskLimit != null && cause != DeathCause.TASK_LIMIT) {
      // Killed for a hang, say, by a fork bomb's doing: the limit explains the hang.
      detail += "; it had " + taskLimit;
    }
    return new ProcessDeath(
        plugin.id(), pid, Instant.now(), cause, exitCode, detail, lastOutput, Optional.ofNullable(errorReport));
  }

  /**
   * Moves the JVM's fatal error report (hs_err), if it wrote one, out of the run directory, which
   * is about to be deleted, into the plugin's crashes folder.
   */
  private Path keepErrorReport() {
    if (runDirectory == null) {
      return null;
    }
    // Any hs_err file in this spawn's own directory: in a sandbox's PID namespace the JVM names
    // it by a pid of its own (often 2), not the one the host knows.
    Path report;
    try (DirectoryStream<Path> reports = Files.newDirectoryStream(runDirectory.resolve("tmp"), "hs_err_pid*.log")) {
      Iterator<Path> found = reports.iterator();
      if (!found.hasNext()) {
        return null;
      }
      report = found.next();
    } catch (IOException e) {
      return null;
    }
    try {
      Path crashes = Files.createDirectories(runtime.workRoot.resolve(plugin.id()).resolve("crashes"));
      return Files.move(report, crashes.resolve("hs_err_pid" + pid + ".log"), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      log.warn("plugin {} pid {}: could not keep the JVM's error report {}", plugin.id(), pid, report, e);
      return report;
    }
  }

  private void recordDeath(ProcessDeath record) {
    if (!death.set(record)) {
      return;
    }
    log.warn("plugin {} {}", plugin.id(), record.summary());
    for (InFlight call : List.copyOf(inFlight)) {
      call.processDied(record);
    }
    closeServices();
    RunnerClient current = client;
    if (current != null) {
      current.close();
    }
    serving.setException(new StartFailedException(record));
    Cgroups.Group group = cgroups;
    if (group != null) {
      group.remove();
    }
    Directories.deleteQuietly(runDirectory);
    Directories.deleteQuietly(socketDirectory);
  }


  private void closeServices() {
    ProcessServices current = services;
    if (current != null) {
      current.close();
    }
  }

  private static String signalName(int signal) {
    switch (signal) {
      case 6: return " (SIGABRT)";
      case 9: return " (SIGKILL)";
      case 11: return " (SIGSEGV)";
      case 15: return " (SIGTERM)";
      case 7: return " (SIGBUS)";
      case 4: return " (SIGILL)";
      case 8: return " (SIGFPE)";
      case 24: return " (SIGXCPU)";
      default: return "";
    }
  }

  private static long remainingNanos(Deadline deadline) {
    return Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS));
  }

  /** A step of starting failed in a way best said in words. */
  private static final class StartStepException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StartStepException(String message) {
      super(message);
    }
  }
}
