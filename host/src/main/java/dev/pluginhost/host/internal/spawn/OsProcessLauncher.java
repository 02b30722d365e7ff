package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Starts real processes with {@link ProcessBuilder}, which on Linux passes the child only file
 * descriptors 0, 1 and 2 (it closes every other descriptor between fork and exec).
 */
public final class OsProcessLauncher implements ProcessLauncher {

  @Override
  public ChildProcess launch(List<String> command, Map<String, String> environment, Path workingDirectory)
      throws IOException {
    ProcessBuilder builder = new ProcessBuilder(command).directory(workingDirectory.toFile());
    builder.environment().clear();
    builder.environment().putAll(environment);
    return new OsChildProcess(builder.start());
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
