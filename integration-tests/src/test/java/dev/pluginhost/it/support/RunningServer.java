package dev.pluginhost.it.support;

import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * {@code java -jar pluginhost.jar serve} run as an operator would, as a process in a directory of
 * its own, and the CLI run against it from that directory (so the CLI finds the server's socket
 * at its default, data/admin.sock).
 *
 * <p>On {@link #close()} it SIGTERMs the server, waits for it with a deadline, then SIGKILLs it and
 * every plugin process it ever saw (its descendants, sampled at each CLI run and before the stop,
 * and any process whose command line names the server's directory), and fails the test if any
 * process outlived the server by more than a few seconds. Commands still following (logs -f,
 * events -f) are ended too.
 *
 * <p>Not thread-safe, except {@link #cli} and {@link #follow}, which tests may run concurrently.
 */
public final class RunningServer implements AutoCloseable {
  /** The line serve prints on stdout once its plugins are up and its admin API listens. */
  private static final String READY = "pluginhost serve: serving ";
  private static final Duration READY_WITHIN = Duration.ofMinutes(1);
  private static final Duration STOP_WITHIN = Duration.ofSeconds(30);
  private static final Duration CLI_WITHIN = Duration.ofSeconds(45);
  /** How long a plugin may take to notice its server is gone; they take well under a second. */
  private static final Duration PLUGINS_END_WITHIN = Duration.ofSeconds(5);

  private final Path directory;
  private final Process process;
  private final StreamCollector stdout;
  private final StreamCollector stderr;
  private final String readyLine;
  private final Set<ProcessHandle> seen = ConcurrentHashMap.newKeySet();
  private final List<Following> followers = new CopyOnWriteArrayList<>();

  private RunningServer(Path directory, Process process, StreamCollector stdout, StreamCollector stderr, String readyLine) {
    this.directory = directory;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.readyLine = readyLine;
  }

  /**
   * Makes {@code directory} a server's home: a plugins/ of the named samples, and, when
   * {@code config} is not null, a pluginhost.conf holding it. Does not start anything.
   */
  public static Path prepare(Path directory, String config, String... plugins) throws IOException {
    Files.createDirectories(directory);
    SamplePlugins.select(directory, plugins);
    if (config != null) {
      Files.writeString(directory.resolve("pluginhost.conf"), config);
    }
    return directory;
  }

  /**
   * Starts {@code serve} in {@code directory} (with {@code --config pluginhost.conf} when that
   * file exists) and waits for its ready line.
   *
   * @throws IllegalStateException if it exits first or is not ready within a minute; it is
   *     cleaned up first
   */
  public static RunningServer start(Path directory) throws IOException, InterruptedException {
    Process process = Cli.serve(directory);
    StreamCollector stdout = new StreamCollector(process.getInputStream());
    StreamCollector stderr = new StreamCollector(process.getErrorStream());
    Optional<String> ready;
    try {
      ready = stdout.awaitLine(0, line -> line.startsWith(READY), READY_WITHIN, process);
    } catch (RuntimeException | InterruptedException e) {
      process.destroyForcibly();
      throw e;
    }
    RunningServer server = new RunningServer(directory, process, stdout, stderr, ready.orElse(null));
    if (ready.isEmpty()) {
      String exit = process.isAlive() ? "still running" : "exited with " + process.exitValue();
      server.close();
      throw new IllegalStateException(
          "serve in " + directory + " was not ready within " + READY_WITHIN + " (" + exit + "); stdout:\n" + stdout.text()
              + "\nstderr:\n" + stderr.text());
    }
    server.sample();
    Cli.makeArchiveOnce(directory);
    return server;
  }

  /** Prepares {@code directory} and starts a server there. */
  public static RunningServer start(Path directory, String config, String... plugins) throws IOException, InterruptedException {
    return start(prepare(directory, config, plugins));
  }

  public Path directory() {
    return directory;
  }

  public Process process() {
    return process;
  }

  /** The ready line serve printed. */
  public String readyLine() {
    return readyLine;
  }

  /** What the server wrote on stderr so far (its log). */
  public String stderr() {
    return stderr.text();
  }

  /**
   * Everything the server wrote on stderr, once it has exited and its stream ended (waiting up
   * to five seconds for that).
   */
  public String stderrAfterExit() throws InterruptedException {
    stderr.awaitEnd(Duration.ofSeconds(5));
    return stderr.text();
  }

  /** What the server wrote on stdout so far. */
  public String stdout() {
    return stdout.text();
  }

  /** Runs {@code pluginhost ARGS} in the server's directory and waits for it to exit. */
  public Cli.Run cli(String... args) throws IOException, InterruptedException {
    return cliWithInput(null, args);
  }

  /** Like {@link #cli}, writing {@code input} to its standard input. */
  public Cli.Run cliWithInput(byte[] input, String... args) throws IOException, InterruptedException {
    sample();
    try {
      return Cli.run(directory, input, CLI_WITHIN, args);
    } finally {
      sample();
    }
  }

  /** Starts {@code pluginhost ARGS} (such as {@code logs ID -f}) and hands its output over as it comes. */
  public Following follow(String... args) throws IOException {
    Following following = new Following(Cli.start(directory, args), String.join(" ", args));
    followers.add(following);
    return following;
  }

  /**
   * The plugin processes the server runs now: its descendants, but for a JVM it may be running
   * for a while to make the runner's class-data archive.
   */
  public List<ProcessHandle> pluginProcesses() {
    return process.descendants().filter(p -> !isClassDataTraining(p)).toList();
  }

  private static boolean isClassDataTraining(ProcessHandle process) {
    return process.info().arguments().map(args -> ClassDataArchive.isTraining(List.of(args))).orElse(false);
  }

  /** Records the server's descendants now, so that close can check they are gone. */
  public void sample() {
    process.descendants().forEach(seen::add);
  }

  /** Sends SIGTERM, as systemd or an operator's kill would. */
  public void terminate() {
    sample();
    // Through the handle: Process.destroy also closes the pipes, and the server's last words with them.
    process.toHandle().destroy();
  }

  /** Sends SIGKILL: the server gets no chance to stop its plugins. */
  public void kill() {
    sample();
    process.toHandle().destroyForcibly();
  }

  /** Waits for the server to exit; its exit code, or empty if it did not within {@code within}. */
  public Optional<Integer> awaitExit(Duration within) throws InterruptedException {
    return process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS) ? Optional.of(process.exitValue()) : Optional.empty();
  }

  /**
   * The plugin processes this server ever had that still run. A zombie does not count: it runs
   * nothing and only waits for its adoptive parent to reap it.
   */
  public List<ProcessHandle> survivors() {
    return seen.stream().filter(p -> p.isAlive() && !Processes.hasEnded(p.pid())).toList();
  }

  /**
   * Stops the server (SIGTERM, then SIGKILL after a deadline), ends every follower, and checks
   * that no plugin process outlives it: any that does is killed and fails the test.
   */
  @Override
  public void close() throws InterruptedException {
    for (Following following : followers) {
      following.close();
    }
    if (process.isAlive()) {
      terminate();
    }
    boolean stopped = process.waitFor(STOP_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
    if (!stopped) {
      sample();
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
    }
    List<Long> left = Processes.awaitEnded(seen.stream().map(ProcessHandle::pid).toList(), PLUGINS_END_WITHIN);
    // A pid in that list may have been reused by now; the handles know their start times.
    List<ProcessHandle> outlived = survivors();
    List<Long> strays = Processes.withCommandLine(directory.toString());
    outlived.forEach(ProcessHandle::destroyForcibly);
    Processes.killAllWithCommandLine(directory.toString(), Duration.ofSeconds(5));
    if (!stopped) {
      throw new AssertionError("serve in " + directory + " did not stop within " + STOP_WITHIN + " of SIGTERM; stderr:\n" + stderr.text());
    }
    if (!outlived.isEmpty() || !strays.isEmpty()) {
      throw new AssertionError(
          "processes outlived serve in " + directory + ": " + describe(outlived) + " (by /proc: " + left + "), naming its directory: "
              + strays);
    }
  }

  private static String describe(List<ProcessHandle> processes) {
    return processes.stream()
        .map(p -> p.pid() + " " + p.info().commandLine().map(c -> c.length() > 120 ? c.substring(0, 120) + "..." : c).orElse("?"))
        .collect(Collectors.joining("; ", "[", "]"));
  }

  /** A CLI command that keeps running (logs -f, events -f), its output read as it comes. */
  public static final class Following implements AutoCloseable {
    private final Process process;
    private final String command;
    private final StreamCollector stdout;
    private final StreamCollector stderr;
    private volatile int seenLines;

    Following(Process process, String command) {
      this.process = process;
      this.command = command;
      this.stdout = new StreamCollector(process.getInputStream());
      this.stderr = new StreamCollector(process.getErrorStream());
    }

    /**
     * Waits for a line on stdout that {@code test} accepts: one printed already counts, unless
     * {@link #skipSeen} passed it over.
     *
     * @throws AssertionError if none comes within {@code within}, with what did come
     */
    public String awaitLine(Predicate<String> test, String what, Duration within) throws InterruptedException {
      return stdout.awaitLine(seenLines, test, within, process)
          .orElseThrow(() -> new AssertionError(
              "pluginhost " + command + " printed no line " + what + " within " + within + (process.isAlive() ? "" : " (it exited " + process.exitValue() + ")")
                  + "; stdout:\n" + stdout.text() + "\nstderr:\n" + stderr.text()));
    }

    /**
     * Waits for the first line, then makes {@link #awaitLine} look only at lines printed after
     * those seen so far: for {@code -f -n 1}, whose one old line shows the stream is open.
     */
    public Following awaitFirstLineThenSkipSeen(Duration within) throws InterruptedException {
      awaitLine(line -> true, "at all", within);
      seenLines = stdout.lines().size();
      return this;
    }

    public List<String> lines() {
      return stdout.lines();
    }

    public String stderr() {
      return stderr.text();
    }

    public Process process() {
      return process;
    }

    /** Ends the command (SIGTERM, as ^C would; then SIGKILL) and waits for it. */
    @Override
    public void close() throws InterruptedException {
      process.destroy();
      if (!process.waitFor(5, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Reads a stream line by line on a thread of its own, keeping every line. */
  static final class StreamCollector {
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> ended = new CompletableFuture<>();

    StreamCollector(InputStream in) {
      Thread reader =
          new Thread(
              () -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = r.readLine()) != null) {
                    synchronized (this) {
                      lines.add(line);
                      notifyAll();
                    }
                  }
                } catch (IOException e) {
                  // The stream was closed under us: the process ended.
                } finally {
                  synchronized (this) {
                    ended.complete(null);
                    notifyAll();
                  }
                }
              },
              "stream-collector");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * The first line from index {@code from} on that {@code test} accepts, waiting up to
     * {@code within}; empty if none came (or the stream ended).
     */
    synchronized Optional<String> awaitLine(int from, Predicate<String> test, Duration within, Process process) throws InterruptedException {
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        Optional<String> found = lines.stream().skip(from).filter(test).findFirst();
        if (found.isPresent() || ended.isDone()) {
          return found;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Optional.empty();
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    }

    List<String> lines() {
      return List.copyOf(lines);
    }

    String text() {
      return lines.stream().map(l -> l + "\n").collect(Collectors.joining());
    }

    /** Waits until the stream has ended (the process closed it), at most {@code within}. */
    void awaitEnd(Duration within) throws InterruptedException {
      try {
        ended.get(within.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException | java.util.concurrent.ExecutionException e) {
        // Left to the caller, which reports what it read so far.
      }
    }
  }

  /** Runs the launcher jar as a process, in a directory, with a clean CLI environment. */
  public static final class Cli {
    private static final Object ARCHIVE_LOCK = new Object();
    private static boolean archiveTried;
    private static volatile Path archive;

    private Cli() {}

    /** How one run ended. */
    public record Run(List<String> command, int exitCode, String stdout, String stderr) {
      public List<String> lines() {
        return stdout.lines().toList();
      }

      public List<String> stderrLines() {
        return stderr.lines().toList();
      }

      @Override
      public String toString() {
        return "pluginhost " + String.join(" ", command) + " exited " + exitCode + "\n--- stdout:\n" + stdout + "--- stderr:\n" + stderr;
      }
    }

    /** Runs {@code pluginhost ARGS} in {@code directory}, feeding it {@code input} (nothing when null). */
    public static Run run(Path directory, byte[] input, Duration within, String... args) throws IOException, InterruptedException {
      Process process = start(directory, args);
      // Bytes as they are: invoke prints its output with no newline added.
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
      CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
      try {
        if (input != null) {
          process.getOutputStream().write(input);
        }
        process.getOutputStream().close();
      } catch (IOException e) {
        // It exited without reading its input; its exit code says why.
      }
      if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("pluginhost " + String.join(" ", args) + " did not exit within " + within + "; stdout:\n"
            + text(out.getNow(new byte[0])) + "\nstderr:\n" + text(err.getNow(new byte[0])));
      }
      try {
        return new Run(List.of(args), process.exitValue(), text(out.get(5, TimeUnit.SECONDS)), text(err.get(5, TimeUnit.SECONDS)));
      } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
        throw new AssertionError("cannot read the output of pluginhost " + String.join(" ", args), e);
      }
    }

    private static byte[] readAll(InputStream in) {
      try {
        return in.readAllBytes();
      } catch (IOException e) {
        return new byte[0];
      }
    }

    private static String text(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }

    /** Runs {@code pluginhost ARGS} in {@code directory} and waits up to a minute. */
    public static Run run(Path directory, String... args) throws IOException, InterruptedException {
      return run(directory, null, Duration.ofMinutes(1), args);
    }

    /** Starts {@code pluginhost ARGS} in {@code directory}; the caller reads and ends it. */
    static Process start(Path directory, String... args) throws IOException {
      List<String> command = new ArrayList<>(java());
      command.addAll(fastStart());
      command.add("-jar");
      command.add(Launcher.jar().toString());
      command.addAll(List.of(args));
      return builder(directory, command).start();
    }

    /** Starts {@code serve} in {@code directory}, with its pluginhost.conf if it has one. */
    static Process serve(Path directory) throws IOException {
      List<String> command = new ArrayList<>(java());
      command.add("-jar");
      command.add(Launcher.jar().toString());
      command.add("serve");
      if (Files.exists(directory.resolve("pluginhost.conf"))) {
        command.add("--config");
        command.add(directory.resolve("pluginhost.conf").toString());
      }
      return builder(directory, command).start();
    }

    private static ProcessBuilder builder(Path directory, List<String> command) {
      ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile());
      Map<String, String> environment = builder.environment();
      // The CLI must find the server by its own default, not by what this JVM's caller set.
      environment.remove("PLUGINHOST_ADMIN");
      environment.remove("PLUGINHOST_ADMIN_TOKEN_FILE");
      return builder;
    }

    private static List<String> java() {
      return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * JVM options that halve each CLI run's start (about 0.9 s to 0.45 s here): C1 only, the serial
     * collector, and a class-data archive of the launcher's classes made once per test run (see
     * {@link #makeArchiveOnce}). They
     * change how fast the CLI starts, not what it does. The archive falls back silently to a slow
     * start if it does not fit the jar.
     */
    private static List<String> fastStart() {
      List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"));
      Path cds = archive;
      if (cds != null) {
        options.add("-XX:SharedArchiveFile=" + cds);
        // A mismatched archive would warn on stdout, which tests read.
        options.add("-Xlog:disable");
      }
      return options;
    }

    /**
     * Makes the class-data archive once per test run, by a throwaway {@code list} against the
     * server in {@code directory}, so that it holds the classes every command loads: picocli,
     * gRPC, Netty, the admin API's messages. Until then (and if it fails) runs start slower.
     */
    static void makeArchiveOnce(Path directory) {
      synchronized (ARCHIVE_LOCK) {
        if (archiveTried) {
          return;
        }
        archiveTried = true;
        try {
          Path dir = Files.createDirectories(Path.of("target", "cli-cds").toAbsolutePath());
          Path file = dir.resolve("pluginhost-cli-" + ProcessHandle.current().pid() + ".jsa");
          Files.deleteIfExists(file);
          List<String> command = new ArrayList<>(java());
          command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:ArchiveClassesAtExit=" + file, "-Xlog:disable",
              "-jar", Launcher.jar().toString(), "list"));
          Process process =
              builder(directory, command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
          if (!process.waitFor(1, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return;
          }
          if (process.exitValue() == 0 && Files.isRegularFile(file)) {
            archive = file;
          }
        } catch (IOException e) {
          // Slower runs, same results.
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }
}
