package dev.pluginhost.host.internal.runtime;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.ProcessDeath;
import io.grpc.Deadline;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One plugin process, played by the test: it serves, fails to start, answers calls and dies
 * exactly when told to.
 *
 * <p>By default every call waits, as a {@link PendingCall} or {@link PendingBatch}, for the test to
 * answer it; {@link #answerCallsWith} and {@link #answerBatchesWith} make it answer at once
 * instead. A death ends the process as {@link PluginProcess} does: the death completes first,
 * then each call in flight fails with UNAVAILABLE and the death ({@link CallErrors#processDied}).
 * A call arriving after the death fails with {@link NotSentException}. {@link #shutdown} and
 * {@link #kill} record why and end the process at once (unless told not to).
 */
final class FakeWorker implements Worker {
  /** A shutdown or kill the supervisor asked for. */
  record Stop(DeathCause cause, String detail, Duration grace, boolean alreadyDead) {}

  /** A unary call waiting for the test's answer. */
  final class PendingCall {
    final String function;
    final byte[] input;
    final Map<String, String> metadata;
    final SettableFuture<byte[]> result = SettableFuture.create();

    PendingCall(String function, byte[] input, Map<String, String> metadata) {
      this.function = function;
      this.input = input;
      this.metadata = metadata;
    }

    String inputText() {
      return new String(input, StandardCharsets.UTF_8);
    }

    /** Answers the call with {@code text} in UTF-8; the call is then no longer in flight. */
    void reply(String text) {
      forget(this);
      result.set(text.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** A batch (one chunk of a map) waiting for the test's answer. */
  final class PendingBatch {
    final String function;
    final List<byte[]> inputs;
    final SettableFuture<List<CallOutcome>> result = SettableFuture.create();

    PendingBatch(String function, List<byte[]> inputs) {
      this.function = function;
      this.inputs = List.copyOf(inputs);
    }

    /** Answers each input with {@code answer} of it. */
    void reply(Function<byte[], byte[]> answer) {
      forget(this);
      result.set(inputs.stream().map(i -> CallOutcome.success(answer.apply(i))).toList());
    }
  }

  private final String pluginId;
  private final long pid;
  private final Timer timer;
  private final SettableFuture<Void> started = SettableFuture.create();
  private final SettableFuture<ProcessDeath> death = SettableFuture.create();
  private final List<Object> inFlight = new ArrayList<>();
  private final List<String> received = new ArrayList<>();
  private final List<Stop> shutdowns = new ArrayList<>();
  private final List<Stop> kills = new ArrayList<>();
  private int startCalls;
  /** Set once the process has ended, perhaps before {@link #death} reports it. */
  private ProcessDeath dead;
  private List<String> functions = List.of("echo", "hash", "slow");
  private Set<String> idempotentFunctions = Set.of();
  private Function<byte[], byte[]> callAnswer;
  private Function<byte[], byte[]> batchAnswer;
  private boolean dieOnStop = true;
  private long residentBytes = -1;
  private final BooleanSupplier supervisorLockHeld;
  private final List<String> calledUnderLock;

  /**
   * @param supervisorLockHeld says whether the calling thread holds the supervisor's lock
   * @param calledUnderLock where to note each worker method the supervisor called holding it
   */
  FakeWorker(String pluginId, long pid, Timer timer, BooleanSupplier supervisorLockHeld, List<String> calledUnderLock) {
    this.pluginId = pluginId;
    this.pid = pid;
    this.timer = timer;
    this.supervisorLockHeld = supervisorLockHeld;
    this.calledUnderLock = calledUnderLock;
  }

  FakeWorker(String pluginId, long pid, Timer timer) {
    this(pluginId, pid, timer, () -> false, new ArrayList<>());
  }

  // --- what the test configures -------------------------------------------------------------

  synchronized FakeWorker idempotentFunctions(String... names) {
    this.idempotentFunctions = Set.of(names);
    return this;
  }

  /** Answers every later unary call at once with {@code answer} of its input. */
  synchronized FakeWorker answerCallsWith(Function<byte[], byte[]> answer) {
    this.callAnswer = answer;
    return this;
  }

  /** Answers every later batch at once, each input with {@code answer} of it. */
  synchronized FakeWorker answerBatchesWith(Function<byte[], byte[]> answer) {
    this.batchAnswer = answer;
    return this;
  }

  /** Says the process tree holds {@code bytes} of resident memory from now on. */
  synchronized FakeWorker residentBytes(long bytes) {
    this.residentBytes = bytes;
    return this;
  }

  /** Makes shutdown and kill record the request but leave the process running. */
  synchronized FakeWorker ignoreStops() {
    this.dieOnStop = false;
    return this;
  }

  // --- what the test makes happen -----------------------------------------------------------

  /** The process comes up and serves. */
  void serve() {
    synchronized (this) {
      functions = List.copyOf(functions);
    }
    started.set(null);
  }

  /** The process fails to start: start() fails, then it dies with FAILED_START. */
  void failStart(String why) {
    ProcessDeath record = deathOf(DeathCause.FAILED_START, 1, "failed to start: " + why);
    started.setException(new StartFailedException(record));
    die(record, true);
  }

  /** The process exits by itself with {@code exitCode}. */
  void exit(int exitCode) {
    die(deathOf(DeathCause.EXITED, exitCode, "exited with code " + exitCode), true);
  }

  /** The process dies of {@code cause}, with {@code exitCode}. */
  void crash(DeathCause cause, int exitCode) {
    die(deathOf(cause, exitCode, "died: " + cause + " (exit code " + exitCode + ")"), true);
  }

  /**
   * The process dies, but its death is not reported yet ({@link #death()} stays pending until
   * {@link #reportDeath()}): the moment when the process knows it is gone and its supervisor does
   * not.
   */
  void crashUnnoticed(DeathCause cause, int exitCode) {
    die(deathOf(cause, exitCode, "died: " + cause + " (exit code " + exitCode + ")"), false);
  }

  void reportDeath() {
    ProcessDeath record;
    synchronized (this) {
      record = dead;
    }
    death.set(record);
  }

  // --- what the test inspects ---------------------------------------------------------------

  synchronized List<PendingCall> pendingCalls() {
    return inFlight.stream().filter(PendingCall.class::isInstance).map(PendingCall.class::cast).toList();
  }

  /** The only call in flight; fails if there is not exactly one. */
  synchronized PendingCall onlyPendingCall() {
    List<PendingCall> calls = pendingCalls();
    if (calls.size() != 1) {
      throw new AssertionError("pid " + pid + " has " + calls.size() + " calls in flight, not 1");
    }
    return calls.get(0);
  }

  synchronized List<PendingBatch> pendingBatches() {
    return inFlight.stream().filter(PendingBatch.class::isInstance).map(PendingBatch.class::cast).toList();
  }

  /** The function of every call and batch that reached this worker, in order, dead or alive. */
  synchronized List<String> received() {
    return List.copyOf(received);
  }

  synchronized List<Stop> shutdowns() {
    return List.copyOf(shutdowns);
  }

  synchronized List<Stop> kills() {
    return List.copyOf(kills);
  }

  synchronized int startCalls() {
    return startCalls;
  }

  synchronized boolean isDead() {
    return dead != null;
  }

  /** The death, once reported. */
  ProcessDeath deathRecord() {
    return Futures.getUnchecked(death);
  }

  // --- Worker -------------------------------------------------------------------------------

  @Override
  public long pid() {
    return pid;
  }

  @Override
  public synchronized ListenableFuture<Void> start() {
    noteLock("start");
    startCalls++;
    return started;
  }

  @Override
  public ListenableFuture<ProcessDeath> death() {
    return death;
  }

  @Override
  public long residentBytes() {
    noteLock("residentBytes");
    synchronized (this) {
      return residentBytes;
    }
  }

  @Override
  public synchronized List<String> functions() {
    return functions;
  }

  @Override
  public synchronized Set<String> idempotentFunctions() {
    return idempotentFunctions;
  }

  @Override
  public ListenableFuture<byte[]> invoke(
      String function, byte[] input, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    noteLock("invoke");
    Function<byte[], byte[]> answer;
    synchronized (this) {
      received.add(function);
      if (dead != null) {
        return Futures.immediateFailedFuture(new NotSentException(pluginId, function, dead));
      }
      answer = callAnswer;
      if (answer == null) {
        PendingCall call = new PendingCall(function, input, metadata);
        inFlight.add(call);
        return call.result;
      }
    }
    return Futures.immediateFuture(answer.apply(input));
  }

  @Override
  public ListenableFuture<List<CallOutcome>> invokeBatch(
      String function, List<byte[]> inputs, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    noteLock("invokeBatch");
    Function<byte[], byte[]> answer;
    synchronized (this) {
      received.add(function);
      if (dead != null) {
        return Futures.immediateFailedFuture(new NotSentException(pluginId, function, dead));
      }
      answer = batchAnswer;
      if (answer == null) {
        PendingBatch batch = new PendingBatch(function, inputs);
        inFlight.add(batch);
        return batch.result;
      }
    }
    return Futures.immediateFuture(inputs.stream().map(i -> CallOutcome.success(answer.apply(i))).toList());
  }

  @Override
  public TrackedPipe openPipe(String function, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    throw new UnsupportedOperationException("the fake worker has no pipes");
  }

  @Override
  public void kill(DeathCause cause, String detail) {
    noteLock("kill");
    boolean die;
    synchronized (this) {
      kills.add(new Stop(cause, detail, Duration.ZERO, dead != null));
      die = dieOnStop;
    }
    if (die) {
      die(deathOf(cause, 137, detail), true);
    }
  }

  @Override
  public ListenableFuture<ProcessDeath> shutdown(DeathCause cause, String detail, Duration grace) {
    noteLock("shutdown");
    boolean die;
    synchronized (this) {
      shutdowns.add(new Stop(cause, detail, grace, dead != null));
      die = dieOnStop;
    }
    if (die) {
      die(deathOf(cause, 0, detail), true);
    }
    return death;
  }

  // --- inside -------------------------------------------------------------------------------

  private ProcessDeath deathOf(DeathCause cause, int exitCode, String detail) {
    return new ProcessDeath(pluginId, pid, Instant.EPOCH, cause, exitCode, detail, List.of(), Optional.empty());
  }

  /** Ends the process once; the first death wins. Mirrors PluginProcess.recordDeath's order. */
  private void die(ProcessDeath record, boolean report) {
    List<Object> calls;
    synchronized (this) {
      if (dead != null) {
        return;
      }
      dead = record;
      calls = List.copyOf(inFlight);
      inFlight.clear();
    }
    if (report) {
      death.set(record);
    }
    for (Object call : calls) {
      if (call instanceof PendingCall unary) {
        unary.result.setException(CallErrors.processDied(pluginId, unary.function, record));
      } else if (call instanceof PendingBatch batch) {
        batch.result.setException(CallErrors.processDied(pluginId, batch.function, record));
      }
    }
    started.setException(new StartFailedException(record));
  }

  private void noteLock(String method) {
    if (supervisorLockHeld.getAsBoolean()) {
      synchronized (calledUnderLock) {
        calledUnderLock.add("pid " + pid + " " + method);
      }
    }
  }

  private synchronized void forget(Object call) {
    inFlight.remove(call);
  }
}
