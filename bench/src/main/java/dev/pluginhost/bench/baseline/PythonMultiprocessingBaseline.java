package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Python's {@code multiprocessing} with the spawn start method, on the same machine: what the
 * host's users would otherwise use. Runs {@value #SCRIPT} (shipped in the bench jar) with the
 * given Python, in a private temporary directory, and reads the {@link PythonReport} it prints.
 *
 * <p>Figures: {@code python.spawn-process} (start of a spawn-method {@code Process} to its result
 * through a Queue, per repeat), {@code python.pool-apply} (one {@code Pool(2).apply} round trip of
 * a trivial function, per call), {@code python.map-chunksize-1} and {@code python.map-default}
 * (items/s of {@code Pool(2).map} over {@link Options#mapItems()} items, per repeat).
 *
 * <p>When the Python command cannot be run, the result is {@link BaselineResult.Status#UNAVAILABLE}.
 * The script and every process it started are ended when the run ends, however it ends.
 */
public final class PythonMultiprocessingBaseline implements Baseline {
  public static final String NAME = "python-mp";
  static final String SCRIPT = "mp_baseline.py";

  /**
   * How much to measure.
   *
   * @param spawnRepeats spawn-method processes timed (one more is started first and not kept)
   * @param applyWarmup {@code apply} calls made first and not timed
   * @param applyCalls {@code apply} calls timed
   * @param mapItems items per map
   * @param mapRepeats maps timed per chunksize
   * @param timeout the longest the script may run
   */
  public record Options(int spawnRepeats, int applyWarmup, int applyCalls, int mapItems, int mapRepeats, Duration timeout) {
    public Options {
      checkArgument(spawnRepeats > 0 && applyWarmup >= 0 && applyCalls > 0 && mapItems > 0 && mapRepeats > 0, "counts must be positive");
    }

    public static Options defaults() {
      return new Options(20, 500, 5_000, 100_000, 3, Duration.ofSeconds(90));
    }
  }

  private final String python;
  private final Options options;

  /** @param python the command to run, such as {@code "python3"}, looked up on PATH */
  public PythonMultiprocessingBaseline(String python, Options options) {
    this.python = python;
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "Python multiprocessing (spawn) on this machine: a Process, Pool(2).apply and Pool(2).map";
  }

  @Override
  public BaselineResult run() throws Exception {
    PythonReport report;
    try {
      report = runScript();
    } catch (PythonMissingException e) {
      return BaselineResult.unavailable(NAME, description(), e.getMessage());
    }
    List<String> notes = new ArrayList<>();
    notes.add(
        String.format(
            Locale.ROOT,
            "%s: Python %s, start method %s, %,d warm-up applies, maps of %,d items (default chunksize %,d)",
            NAME,
            report.pythonVersion(),
            report.startMethod(),
            options.applyWarmup(),
            report.mapItems(),
            report.mapDefaultChunksize()));
    return BaselineResult.measured(
        NAME,
        description(),
        List.of(
            Figure.perRepeat("python.spawn-process", "Python spawn Process, start to result", report.spawnProcessNanos(), Unit.NANOSECONDS),
            Figure.perEvent("python.pool-apply", "Python Pool(2).apply round trip", report.poolApplyNanos()),
            Figure.perRepeat("python.map-chunksize-1", "Python Pool(2).map, chunksize 1", report.mapChunksize1(), Unit.ITEMS_PER_SECOND),
            Figure.perRepeat("python.map-default", "Python Pool(2).map, default chunksize", report.mapDefault(), Unit.ITEMS_PER_SECOND)),
        notes);
  }

  /** Thrown when the Python command cannot even start. */
  private static final class PythonMissingException extends Exception {
    PythonMissingException(String message) {
      super(message);
    }
  }

  private PythonReport runScript() throws Exception {
    Path directory = Files.createTempDirectory("pluginhost-python-");
    Process process = null;
    try {
      Path script = directory.resolve(SCRIPT);
      try (InputStream in = PythonMultiprocessingBaseline.class.getResourceAsStream(SCRIPT)) {
        if (in == null) {
          throw new IllegalStateException("the bench jar has no " + SCRIPT + " beside " + getClass().getName());
        }
        Files.copy(in, script);
      }
      List<String> command =
          List.of(
              python,
              script.toString(),
              Integer.toString(options.spawnRepeats()),
              Integer.toString(options.applyWarmup()),
              Integer.toString(options.applyCalls()),
              Integer.toString(options.mapItems()),
              Integer.toString(options.mapRepeats()));
      try {
        process = new ProcessBuilder(command).directory(directory.toFile()).start();
      } catch (IOException e) {
        throw new PythonMissingException("cannot run " + python + " (" + e.getMessage() + "); the Python baseline needs it on PATH");
      }
      process.getOutputStream().close();
      CompletableFuture<String> stdout = readAll(process.getInputStream(), "python-stdout");
      CompletableFuture<String> stderr = readAll(process.getErrorStream(), "python-stderr");
      if (!process.waitFor(options.timeout().toMillis(), TimeUnit.MILLISECONDS)) {
        throw new TimeoutException("the Python baseline did not finish within " + options.timeout() + tail(stderr));
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException("the Python baseline exited with code " + process.exitValue() + tail(stderr));
      }
      return PythonReport.parse(stdout.get(5, TimeUnit.SECONDS));
    } finally {
      if (process != null) {
        killTree(process);
      }
      try {
        MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
      } catch (IOException e) {
        System.err.println("could not delete " + directory + ": " + e);
      }
    }
  }

  /** Python's pool workers first (they outlive a killed parent for a while), then Python. */
  private static void killTree(Process process) throws InterruptedException {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    process.waitFor(5, TimeUnit.SECONDS);
  }

  private static CompletableFuture<String> readAll(InputStream stream, String name) {
    CompletableFuture<String> text = new CompletableFuture<>();
    Thread thread =
        new Thread(
            () -> {
              ByteArrayOutputStream bytes = new ByteArrayOutputStream();
              try (stream) {
                stream.transferTo(bytes);
              } catch (IOException e) {
                // Keep what was read.
              }
              text.complete(bytes.toString(StandardCharsets.UTF_8));
            },
            name);
    thread.setDaemon(true);
    thread.start();
    return text;
  }

  private static String tail(CompletableFuture<String> stderr) {
    String text;
    try {
      text = stderr.get(1, TimeUnit.SECONDS).strip();
    } catch (ExecutionException | TimeoutException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
    if (text.isEmpty()) {
      return "";
    }
    return "; its stderr ended with:\n" + (text.length() > 2000 ? "..." + text.substring(text.length() - 2000) : text);
  }
}
