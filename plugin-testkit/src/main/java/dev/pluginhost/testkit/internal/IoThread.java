package dev.pluginhost.testkit.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An in-process plugin's stand-in for the runner's I/O thread (its gRPC event loop): one thread per
 * plugin, where NON_BLOCKING functions run, and map chunks of theirs of up to {@value
 * #INLINE_BATCH_LIMIT} inputs, as the runner runs them. Host services that wait for the host refuse
 * there with the runner's own {@link IllegalStateException}; the structured log, which never
 * waits, does not.
 */
public final class IoThread {
  /** The runner's {@code RunnerService.INLINE_BATCH_LIMIT}: larger chunks go to call threads. */
  public static final int INLINE_BATCH_LIMIT = 64;

  /** The runner's {@code HostConnection.refuseOnEventLoop} wording, word for word. */
  static final String REFUSAL =
      "host services wait for the host, and a function declared NON_BLOCKING must not wait: register it"
          + " without that option to use them";

  private static final ThreadLocal<Boolean> HERE = ThreadLocal.withInitial(() -> false);

  private IoThread() {}

  /** A new I/O thread for {@code pluginId}; shut it down with the plugin. */
  public static ExecutorService start(String pluginId) {
    return Executors.newSingleThreadExecutor(
        runnable -> {
          Thread thread =
              new Thread(
                  () -> {
                    HERE.set(true);
                    runnable.run();
                  },
                  "testkit-" + pluginId + "-io");
          thread.setDaemon(true);
          return thread;
        });
  }

  /**
   * Throws the runner's {@link IllegalStateException} on an I/O thread, where a host service must
   * not wait; called after the grant check, as the runner checks the grant first.
   */
  public static void refuseToWait() {
    if (HERE.get()) {
      throw new IllegalStateException(REFUSAL);
    }
  }

  /** Whether the current thread is a plugin's I/O thread. */
  public static boolean isCurrent() {
    return HERE.get();
  }
}
