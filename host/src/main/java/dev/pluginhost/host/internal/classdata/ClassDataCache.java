package dev.pluginhost.host.internal.classdata;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One host's use of the runner's class-data archives (see {@link ClassDataArchive}). A spawn asks
 * for the archive that fits its settings: if it has been made, the spawn uses it; if not, the
 * spawn goes ahead without it (as fast as it ever was) and this cache makes it in the background,
 * one training JVM at a time, so the spawns after it start in about a third of the time. Archives
 * live beside the unpacked runner jar and outlive the host: a machine trains once per runner, JDK
 * and set of JVM options.
 *
 * <p>A training that fails is logged once and not retried by this host; its plugins start without
 * the archive. Plugins opt out with the JVM option {@code -Xshare:off}.
 */
public final class ClassDataCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ClassDataCache.class);
  /** Stand-in for the per-spawn temporary directory in the command an archive is keyed by. */
  private static final Path KEY_TMP = Path.of("/pluginhost-spawn-tmp");
  private static final long TRAINING_TIMEOUT_MILLIS = 120_000;
  /** Archives some host in this JVM is making now: two hosts never train for the same one. */
  private static final Set<Path> TRAINING_NOW = ConcurrentHashMap.newKeySet();

  private final Path runnerJar;
  private final Path workRoot;
  private final Path socketRoot;
  private final EventLoopGroup eventLoops;
  private final Map<String, String> hostEnvironment;
  private final Set<Path> attempted = ConcurrentHashMap.newKeySet();
  private final ExecutorService trainer =
      Executors.newSingleThreadExecutor(
          new ThreadFactoryBuilder().setNameFormat("pluginhost-class-data-%d").setDaemon(true).build());
  private volatile Process training;
  private volatile boolean closed;

  public ClassDataCache(
      Path runnerJar, Path workRoot, Path socketRoot, EventLoopGroup eventLoops, Map<String, String> hostEnvironment) {
    this.runnerJar = runnerJar;
    this.workRoot = workRoot;
    this.socketRoot = socketRoot;
    this.eventLoops = eventLoops;
    this.hostEnvironment = Map.copyOf(hostEnvironment);
  }

  /**
   * The archive a plugin JVM with {@code settings} should map, if it has been made. If not, returns
   * empty and starts making it in the background, unless this host already tried.
   */
  public Optional<ClassDataArchive> readyArchive(PluginSettings settings) {
    if (settings.jvmOptions().contains("-Xshare:off")) {
      return Optional.empty();
    }
    Optional<ClassDataArchive> archive =
        ClassDataArchive.forCommand(runnerJar.getParent(), JvmCommand.command(settings, runnerJar, KEY_TMP, List.of()));
    if (archive.isEmpty()) {
      return Optional.empty();
    }
    if (archive.get().exists()) {
      return archive;
    }
    if (!closed && attempted.add(archive.get().file())) {
      try {
        trainer.execute(() -> train(archive.get(), settings));
      } catch (RejectedExecutionException closedMeanwhile) {
        // The host is stopping; nothing more to start.
      }
    }
    return Optional.empty();
  }

  private void train(ClassDataArchive archive, PluginSettings settings) {
    if (closed || archive.exists() || !TRAINING_NOW.add(archive.file())) {
      return;
    }
    deleteAbandonedTemporaries(archive.file().getParent());
    long started = System.nanoTime();
    try {
      new ClassDataTraining(
              archive, settings, runnerJar, workRoot, socketRoot, eventLoops,
              JvmCommand.environment(settings, hostEnvironment))
          .run(process -> training = process, TRAINING_TIMEOUT_MILLIS);
      log.info(
          "made the plugin runner's class-data archive {} in {} ms; plugin JVMs started from now on use it",
          archive.file(), (System.nanoTime() - started) / 1_000_000);
    } catch (Exception e) {
      if (closed) {
        log.debug("class-data training stopped with the host", e);
      } else {
        log.warn("could not make the plugin runner's class-data archive; plugins start without it, more slowly: {}",
            e.getMessage());
      }
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    } finally {
      training = null;
      TRAINING_NOW.remove(archive.file());
    }
  }

  /**
   * Deletes half-written archives that a training left behind when its host died (they are named
   * {@code <archive>.<pid>-<nanos>.tmp}, and Java 25 adds {@code .config} for its first step) once
   * they are an hour old: no training takes that long.
   */
  private static void deleteAbandonedTemporaries(Path cacheDirectory) {
    long cutoff = System.currentTimeMillis() - TimeUnit.HOURS.toMillis(1);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(cacheDirectory, "runner-*.tmp*")) {
      for (Path file : files) {
        if (Files.getLastModifiedTime(file).toMillis() < cutoff) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException e) {
      log.debug("could not clean up abandoned class-data archives in {}", cacheDirectory, e);
    }
  }

  /** Stops any training now (its JVM is killed and nothing is kept) and takes no more. */
  @Override
  public void close() {
    closed = true;
    trainer.shutdownNow();
    Process process = training;
    if (process != null) {
      process.destroyForcibly();
    }
  }
}
