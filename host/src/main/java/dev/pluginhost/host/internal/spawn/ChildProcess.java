package dev.pluginhost.host.internal.spawn;

import java.io.InputStream;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;

/**
 * A started child process, as the host's supervision sees it. The boundary behind which tests put
 * a fake.
 */
public interface ChildProcess {
  long pid();

  /** The child's stdin: the host writes the bootstrap here and keeps it open as a lifeline. */
  OutputStream stdin();

  InputStream stdout();

  InputStream stderr();

  /** Completes with the exit status (128 + n for signal n) once the process has ended. */
  CompletableFuture<Integer> onExit();

  /**
   * Sends SIGKILL to the process and to every process descended from it that can still be found.
   * Returns without waiting; {@link #onExit()} says when the process itself is gone.
   */
  void destroyTree();
}
