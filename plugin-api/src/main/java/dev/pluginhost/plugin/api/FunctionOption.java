package dev.pluginhost.plugin.api;

/** What a plugin declares about a function when it registers it. */
public enum FunctionOption {
  /**
   * Running the function twice with the same input is as good as running it once. The host may
   * then retry a call whose process died under it on another process, instead of failing it.
   * Declare it only when true: a retried non-idempotent call may act twice.
   */
  IDEMPOTENT,

  /**
   * The function never blocks (no I/O, no locks that may be held long, no sleeping, no waiting on
   * other threads) and returns within microseconds. The runner may then run it on the thread that
   * reads the host's calls, saving the hand-over to a call thread and back, which on an idle
   * machine is most of a small call's round trip.
   *
   * <p>While such a call runs, its process reads nothing else: no other call, no cancellation, no
   * health probe. A function declared non-blocking that blocks stalls its whole process, and the
   * host kills the process as unresponsive once a health probe goes unanswered. Declare it only
   * for short, pure computations. Since API 1.2.
   */
  NON_BLOCKING
}
