package dev.pluginhost.bench.figures;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.ProcessLedger;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import dev.pluginhost.host.PluginHost;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * What the figures share in one run: where the sample plugins are, whether to run quickly, where
 * progress goes, a temporary directory for hosts' files, and a ledger of every plugin process
 * seen. Closing it kills any recorded process still alive (naming it on the progress stream) and
 * deletes the temporary directory. Not thread-safe, except {@link #ledger()}.
 */
public final class FigureContext implements AutoCloseable {
  private final Path samples;
  private final boolean quick;
  private final PrintStream progress;
  private final Path temp;
  private final ProcessLedger ledger = new ProcessLedger();
  private int directories;

  private FigureContext(Path samples, boolean quick, PrintStream progress, Path temp) {
    this.samples = samples;
    this.quick = quick;
    this.progress = progress;
    this.temp = temp;
  }

  /**
   * A context over the sample plugins' jars in {@code samples} ({@code samples/target/plugins} of
   * a build), with a fresh temporary directory.
   *
   * @param quick whether figures should run fewer repetitions (for a check, not for numbers)
   */
  public static FigureContext create(Path samples, boolean quick, PrintStream progress) throws IOException {
    checkNotNull(samples, "samples");
    checkNotNull(progress, "progress");
    FigureContext context =
        new FigureContext(samples, quick, progress, Files.createTempDirectory("pluginhost-figures-"));
    try {
      context.primeClassData();
    } catch (IOException | RuntimeException e) {
      context.close();
      throw e;
    }
    return context;
  }

  /**
   * Starts one host and waits until the runner's class-data archive for the benchmarks' settings
   * exists. A host makes it in the background at its first start on a machine and every plugin JVM
   * started after maps it; no figure should time the first starts of a machine's life.
   */
  private void primeClassData() throws IOException {
    try (PluginHost host =
        hostBuilder("prime", pluginsDirectory("prime", "hello"))
            .defaults(BenchSettings.builder().processes(1).build())
            .build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      watch(host.plugin("hello"));
      long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
      boolean said = false;
      while (trainingRunning()) {
        if (!said) {
          progress.println("making the plugin runner's class-data archive (once per machine and JDK)");
          said = true;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("the host's class-data training did not finish within 3 minutes");
        }
        Thread.sleep(50);
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("the priming host did not start", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while priming", e);
    }
  }

  /** Whether a class-data training JVM (which a host starts as its child) is running now. */
  private static boolean trainingRunning() {
    return ProcessHandle.current().descendants()
        .anyMatch(process -> process.info().arguments()
            .map(args -> ClassDataArchive.isTraining(java.util.List.of(args)))
            .orElse(false));
  }

  public Path samples() {
    return samples;
  }

  public boolean quick() {
    return quick;
  }

  /** {@code full}, or {@code quick} in quick mode. */
  public int pick(int full, int quick) {
    return this.quick ? quick : full;
  }

  public PrintStream progress() {
    return progress;
  }

  public ProcessLedger ledger() {
    return ledger;
  }

  /** Records the plugin's processes in the ledger from now on, and returns it. */
  public PluginHandle watch(PluginHandle plugin) {
    return ledger.watch(plugin);
  }

  /**
   * The built jar of sample plugin {@code id}: in the samples folder, or else in the patterns'
   * folder beside it ({@code samples/target/patterns} of a build, where {@code ledger} and {@code
   * fanout} are).
   *
   * @throws IllegalStateException if it is in neither
   */
  public Path sampleJar(String id) {
    Path jar = samples.resolve(id + ".jar");
    if (Files.isRegularFile(jar)) {
      return jar;
    }
    Path pattern = patterns().resolve(id + ".jar");
    if (Files.isRegularFile(pattern)) {
      return pattern;
    }
    throw new IllegalStateException("no " + jar + " nor " + pattern + "; build the samples first");
  }

  /** The folder of the pattern samples: {@code patterns} beside the samples folder. */
  Path patterns() {
    Path parent = samples.toAbsolutePath().getParent();
    return parent == null ? samples.resolve("patterns") : parent.resolve("patterns");
  }

  /** A new, empty directory under the temporary one, named after {@code name}. */
  public Path newDirectory(String name) throws IOException {
    return Files.createDirectories(temp.resolve(name + "-" + ++directories));
  }

  /** A new plugins directory holding copies of the named sample plugins' jars. */
  public Path pluginsDirectory(String name, String... sampleIds) throws IOException {
    Path directory = newDirectory("plugins-" + name);
    for (String id : sampleIds) {
      Files.copy(sampleJar(id), directory.resolve(id + ".jar"));
    }
    return directory;
  }

  /**
   * A host builder over {@code plugins}, with its work directory under the temporary one and the
   * runner's cache where every host keeps it by default (~/.cache/pluginhost), as an application's
   * would be across restarts.
   */
  public PluginHost.Builder hostBuilder(String name, Path plugins) throws IOException {
    return PluginHost.builder().pluginsDirectory(plugins).workDirectory(newDirectory("work-" + name));
  }

  /** Kills any recorded plugin process still alive and deletes the temporary directory. */
  @Override
  public void close() {
    ledger.reapSurvivors(progress);
    try {
      MoreFiles.deleteRecursively(temp, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (IOException e) {
      progress.println("could not delete " + temp + ": " + e);
    }
  }
}
