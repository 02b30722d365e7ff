package dev.pluginhost.plugin.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What a function knows about the call it is serving. Safe to use from any thread.
 *
 * <p>The host gives every call a deadline. When the deadline passes or the caller cancels, the
 * call is cancelled: its result is no longer wanted, and the function should stop. Java cannot
 * stop a thread from outside, so a function that ignores cancellation and runs past the host's
 * call limit gets its whole JVM killed and restarted.
 */
public interface CallContext {

  /** The name the function was registered under. */
  String function();

  /** When the caller stops waiting for the result. */
  Instant deadline();

  /** Time left until {@link #deadline()}; zero or negative once it has passed. */
  default Duration remaining() {
    return Duration.between(Instant.now(), deadline());
  }

  /** Whether the caller cancelled or the deadline passed. Cheap enough to poll in a loop. */
  boolean isCancelled();

  /**
   * Runs {@code listener} once, on some other thread, when the call is cancelled; at once if it
   * already is. Not run when the call completes normally.
   */
  void onCancel(Runnable listener);

  /** Metadata the caller attached to the call, unmodifiable; empty when none. */
  Map<String, String> metadata();
}
