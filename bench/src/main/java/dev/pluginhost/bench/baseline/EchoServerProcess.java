package dev.pluginhost.bench.baseline;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * An {@link EchoServerMain} in a child JVM started as a plugin JVM is (same flags, see {@link
 * EchoServerCommand}, and the same environment as {@link JvmCommand#environment}), serving on a
 * socket in a fresh private temporary directory.
 *
 * <p>{@link #start} returns once the server accepts calls. {@link #close()} closes the child's
 * stdin (its signal to exit), waits briefly, then kills it and deletes the directory; it is
 * idempotent, and {@link #start} does the same itself when the child fails to come up. The child
 * also exits on its own when this JVM dies, since its stdin then ends.
 */
public final class EchoServerProcess implements AutoCloseable {
  private static final Duration EXIT_GRACE = Duration.ofSeconds(2);
  private static final int KEPT_STDERR_LINES = 20;

  private final Process process;
  private final Path directory;
  private final Path socket;
  private final Duration startTime;
  private final Deque<String> stderr;
  private boolean closed;

  private EchoServerProcess(Process process, Path directory, Path socket, Duration startTime, Deque<String> stderr) {
    this.process = process;
    this.directory = directory;
    this.socket = socket;
    this.startTime = startTime;
    this.stderr = stderr;
  }

  /**
   * Starts the child and waits for it to serve.
   *
   * @param classpath the child's class path, normally this JVM's ({@code java.class.path})
   * @throws IOException if the child cannot start, or exits, or does not serve within
   *     {@code readyTimeout}; the message carries its last lines of stderr
   */
  public static EchoServerProcess start(String classpath, ExecutorChoice executors, Duration readyTimeout)
      throws IOException, InterruptedException {
    Path directory = Files.createTempDirectory("pluginhost-echo-");
    Process process = null;
    Deque<String> stderr = new ArrayDeque<>();
    try {
      Path socket = directory.resolve("echo.sock");
      ProcessBuilder builder = new ProcessBuilder(EchoServerCommand.forDefaults(classpath, directory, socket, executors));
      builder.directory(directory.toFile());
      builder.environment().clear();
      builder.environment().putAll(JvmCommand.environment(dev.pluginhost.bench.BenchSettings.builder().build(), System.getenv()));
      long began = System.nanoTime();
      process = builder.start();
      drain(process.getErrorStream(), stderr, "echo-server-stderr");
      CompletableFuture<Boolean> ready = new CompletableFuture<>();
      InputStream stdout = process.getInputStream();
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader lines = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = lines.readLine()) != null) {
                    if (line.equals(EchoServerMain.READY)) {
                      ready.complete(true);
                    }
                  }
                } catch (IOException e) {
                  // The child is gone; the wait below reports it.
                }
                ready.complete(false);
              },
              "echo-server-stdout");
      reader.setDaemon(true);
      reader.start();
      boolean served;
      try {
        served = ready.get(readyTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        throw new IOException("the echo server did not serve within " + readyTimeout + lastLines(stderr));
      } catch (ExecutionException e) {
        throw new IOException("waiting for the echo server failed", e.getCause());
      }
      if (!served) {
        process.waitFor(1, TimeUnit.SECONDS);
        throw new IOException(
            "the echo server ended before serving"
                + (process.isAlive() ? "" : " (exit code " + process.exitValue() + ")")
                + lastLines(stderr));
      }
      EchoServerProcess server =
          new EchoServerProcess(process, directory, socket, Duration.ofNanos(System.nanoTime() - began), stderr);
      process = null;
      return server;
    } finally {
      if (process != null) {
        kill(process);
        deleteQuietly(directory);
      }
    }
  }

  /** The socket it serves on. */
  public Path socket() {
    return socket;
  }

  /** The child's pid. */
  public long pid() {
    return process.pid();
  }

  /** From {@link ProcessBuilder#start()} to the child's ready line. */
  public Duration startTime() {
    return startTime;
  }

  /** Whether the child is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  /** Ends the child (stdin closed, then killed after a grace period) and deletes its directory. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      process.getOutputStream().close();
      if (!process.waitFor(EXIT_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        System.err.println("echo server " + process.pid() + " did not exit on end of stdin; killing it" + lastLines(stderr));
      }
    } catch (IOException e) {
      // Killed below.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      kill(process);
      deleteQuietly(directory);
    }
  }

  private static void kill(Process process) {
    process.destroyForcibly();
    try {
      process.onExit().get(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException | TimeoutException e) {
      System.err.println("echo server " + process.pid() + " may still be running: " + e);
    }
  }

  private static void drain(InputStream stream, Deque<String> kept, String name) {
    Thread thread =
        new Thread(
            () -> {
              try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                  synchronized (kept) {
                    kept.addLast(line);
                    if (kept.size() > KEPT_STDERR_LINES) {
                      kept.removeFirst();
                    }
                  }
                }
              } catch (IOException e) {
                // The child is gone.
              }
            },
            name);
    thread.setDaemon(true);
    thread.start();
  }

  private static String lastLines(Deque<String> stderr) {
    synchronized (stderr) {
      return stderr.isEmpty() ? "" : "; its stderr ended with:\n  " + String.join("\n  ", List.copyOf(stderr));
    }
  }

  private static void deleteQuietly(Path directory) {
    try {
      MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      System.err.println("could not delete " + directory + ": " + e);
    }
  }
}
