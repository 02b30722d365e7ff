package dev.pluginhost.host.internal.runtime;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.ProcessDeath;
import io.grpc.Deadline;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One process of a plugin, as its supervisor sees it: the boundary behind which supervision tests
 * put a fake. {@link PluginProcess} is the real one. One-shot: started once, dies once.
 *
 * <p>Every call method fails its future with a {@code PluginCallException}; a call on a worker
 * that has died fails with UNAVAILABLE and the death.
 */
interface Worker {
  long pid();

  /**
   * The resident memory of the process tree now, in bytes; -1 if unknown. Reads the operating
   * system's tables: never called under the supervisor's lock.
   */
  long residentBytes();

  /**
   * Whether the process takes new calls: false once it has been condemned (a kill was ordered, as
   * for a hung call) or has died. A supervisor sends it nothing more; a call sent anyway fails as
   * not sent, which is always safe to send elsewhere.
   */
  default boolean acceptsCalls() {
    return true;
  }

  /** Starts the process; completes when it serves, fails once it has died without serving. */
  ListenableFuture<Void> start();

  /**
   * Completes once, when the process has ended. Listeners of this future run before the calls
   * still in flight on the process are failed, so a supervisor that hears of the death first
   * never sends a retried call back to the dead process.
   */
  ListenableFuture<ProcessDeath> death();

  /** The functions the plugin registered, in name order; empty until it serves. */
  List<String> functions();

  /** The functions the plugin declared idempotent. */
  Set<String> idempotentFunctions();

  ListenableFuture<byte[]> invoke(
      String function, byte[] input, Deadline deadline, Duration timeout, Map<String, String> metadata);

  /** Runs the function once per input, in order, in one call; one outcome per input. */
  ListenableFuture<List<CallOutcome>> invokeBatch(
      String function, List<byte[]> inputs, Deadline deadline, Duration timeout, Map<String, String> metadata);

  TrackedPipe openPipe(String function, Deadline deadline, Duration timeout, Map<String, String> metadata);

  /** Kills the whole process tree now, recording why; the first reason given wins. */
  void kill(DeathCause cause, String detail);

  /** Runs the stop hook and exits within {@code grace}, or is killed; completes with the death. */
  ListenableFuture<ProcessDeath> shutdown(DeathCause cause, String detail, Duration grace);
}
