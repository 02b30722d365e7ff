package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.SamplePlugins;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host killed with SIGKILL gets no chance to stop its plugins; they notice on their own (their
 * stdin, the host's pipe, closes) and exit within 2 seconds.
 */
class HostKillTest {
  @TempDir Path tempDir;

  @Test
  void sigkillOfTheHostProcess_leavesNoPluginProcessBehind() throws Exception {
    Path plugins = SamplePlugins.select(tempDir, "hello", "crasher", "hanger");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process app =
        new ProcessBuilder(java.toString(), "-jar", SamplePlugins.appJar().toString(), plugins.toString(), "--serve")
            .redirectError(tempDir.resolve("app-stderr.txt").toFile())
            .start();
    List<Long> pluginPids = new ArrayList<>();
    try {
      CompletableFuture<Void> served =
          CompletableFuture.runAsync(
              () -> {
                try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = out.readLine()) != null && !line.equals("serving")) {
                    String[] words = line.split(" ");
                    pluginPids.add(Long.parseLong(words[3]));
                  }
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      served.get(2, TimeUnit.MINUTES);
      assertEquals(3, pluginPids.size(), "plugin pids printed by the app: " + pluginPids);
      assertTrue(pluginPids.stream().allMatch(pid -> pid > 0), pluginPids.toString());

      long killedAt = System.nanoTime();
      app.destroyForcibly();

      // The budget starts at the kill, and includes the time the kernel takes to end the host.
      Duration left = Duration.ofSeconds(2).minusNanos(System.nanoTime() - killedAt);
      List<Long> survivors = Processes.awaitEnded(pluginPids, left.isNegative() ? Duration.ZERO : left);
      if (!survivors.isEmpty()) {
        fail("plugin processes still alive 2 s after their host was killed: " + survivors);
      }
    } finally {
      app.destroyForcibly();
      app.onExit().get(10, TimeUnit.SECONDS);
      for (long pid : pluginPids) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
      }
    }
  }
}
