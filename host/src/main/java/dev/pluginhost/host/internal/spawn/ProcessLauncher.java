package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Starts child processes. The real one is {@link OsProcessLauncher}; tests may fake it. */
public interface ProcessLauncher {
  /**
   * Starts {@code command} with exactly {@code environment} (nothing inherited) in
   * {@code workingDirectory}, with stdin, stdout and stderr as pipes to the host and no other
   * open file descriptors.
   */
  ChildProcess launch(List<String> command, Map<String, String> environment, Path workingDirectory)
      throws IOException;
}
