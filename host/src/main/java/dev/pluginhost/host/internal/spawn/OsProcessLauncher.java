package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Starts real processes with {@link ProcessBuilder}, which on Linux passes the child only file
 * descriptors 0, 1 and 2 (it closes every other descriptor between fork and exec).
 *
 * <p>Every process is started from one long-lived thread of this launcher. A sandboxed child asks
 * the kernel to kill it when its parent goes ({@code bwrap --die-with-parent}, which is
 * PR_SET_PDEATHSIG), and Linux takes "parent" to be the thread that forked it: started from a
 * pooled thread that later retires, a plugin would die for no reason. Closing the launcher ends
 * that thread, and with it every sandboxed plugin it started.
 */
public final class OsProcessLauncher implements ProcessLauncher, AutoCloseable {
  private final ExecutorService spawner =
      Executors.newSingleThreadExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "pluginhost-spawner");
            thread.setDaemon(true);
            return thread;
          });

  @Override
  public ChildProcess launch(List<String> command, Map<String, String> environment, Path workingDirectory)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    Future<Process> started = spawner.submit(builder::start);
    try {
      return new OsChildProcess(started.get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException) {
        throw (IOException) e.getCause();
      }
      throw new IOException("could not start " + command.get(0), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      started.cancel(false);
      throw new IOException("interrupted while starting " + command.get(0), e);
    }
  }

  @Override
  public void close() {
    spawner.shutdownNow();
  }

  private static final class OsChildProcess implements ChildProcess {
    private final Process process;
    private final CompletableFuture<Integer> exit;

    OsChildProcess(Process process) {
      this.process = process;
      this.exit = process.onExit().thenApply(Process::exitValue);
    }

    @Override
    public long pid() {
      return process.pid();
    }

    @Override
    public OutputStream stdin() {
      return process.getOutputStream();
    }

    @Override
    public InputStream stdout() {
      return process.getInputStream();
    }

    @Override
    public InputStream stderr() {
      return process.getErrorStream();
    }

    @Override
    public CompletableFuture<Integer> onExit() {
      return exit;
    }

    @Override
    public void destroyTree() {
      // Find the descendants before the parent dies: once it does, they are re-parented and no
      // longer show up as its descendants.
      List<ProcessHandle> descendants = process.descendants().toList();
      process.destroyForcibly();
      descendants.forEach(ProcessHandle::destroyForcibly);
    }
  }
}
