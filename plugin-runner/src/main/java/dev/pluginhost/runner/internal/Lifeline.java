package dev.pluginhost.runner.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * Watches the pipe from the host. The host never writes to it after the bootstrap, so a read
 * returns only when the host has closed it, which the kernel does whenever the host process
 * ends, however it ends (including SIGKILL).
 */
public final class Lifeline {
  private Lifeline() {}

  /** Starts a daemon thread that runs {@code onHostGone} when {@code hostPipe} ends. */
  public static void watch(InputStream hostPipe, Runnable onHostGone) {
    Thread thread =
        new Thread(
            () -> {
              byte[] buffer = new byte[256];
              try {
                while (hostPipe.read(buffer) >= 0) {
                  // Anything written after the bootstrap is ignored.
                }
              } catch (IOException e) {
                // A broken pipe means the same as end of file.
              }
              onHostGone.run();
            },
            "pluginhost-lifeline");
    thread.setDaemon(true);
    thread.start();
  }
}
