package dev.pluginhost.host.internal.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a quick command to see whether it works here, as the host would run it. */
final class ShortCommand {
  private static final long TIMEOUT_SECONDS = 10;

  private ShortCommand() {}

  /**
   * How the command ended.
   *
   * @param exitCode its exit code; -1 if it could not be started or did not finish in time
   * @param output its stdout and stderr together (the first 4 KiB), or why it did not run
   */
  record Result(int exitCode, String output) {
    boolean succeeded() {
      return exitCode == 0;
    }
  }

  /** Runs {@code command} with no input; never throws, and gives up after 10 s. */
  static Result run(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      // Its output is a line or two, well inside the pipe's buffer, so it cannot block the
      // process while we wait.
      if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return new Result(-1, command.get(0) + " did not finish within " + TIMEOUT_SECONDS + " s");
      }
      String output = new String(process.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      return new Result(-1, "cannot run " + command.get(0) + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted while running " + command.get(0));
    }
  }
}
