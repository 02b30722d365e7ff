package dev.pluginhost.it.support;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The pluginhost launcher (host/target/pluginhost.jar) as the build made it, run as a process. */
public final class Launcher {
  private Launcher() {}

  /** How one run ended. */
  public record Run(int exitCode, String stdout, String stderr) {
    public List<String> lines() {
      return stdout.lines().toList();
    }
  }

  /** host/target/pluginhost.jar of this build. */
  public static Path jar() {
    String value = System.getProperty("pluginhost.launcher.jar");
    if (value == null || !Files.isRegularFile(Path.of(value))) {
      throw new IllegalStateException("pluginhost.launcher.jar is not set or not built: " + value);
    }
    return Path.of(value);
  }

  /** Runs {@code java -jar pluginhost.jar ARGS} with this JVM's java, and waits up to a minute. */
  public static Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-jar");
    command.add(jar().toString());
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).start();
    process.getOutputStream().close();
    CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
    String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(1, TimeUnit.MINUTES)) {
      process.destroyForcibly();
      throw new IllegalStateException("pluginhost " + String.join(" ", args) + " did not exit within a minute");
    }
    return new Run(process.exitValue(), stdout, new String(stderr.join(), StandardCharsets.UTF_8));
  }

  private static byte[] readAll(java.io.InputStream in) {
    try {
      return in.readAllBytes();
    } catch (IOException e) {
      return new byte[0];
    }
  }
}
