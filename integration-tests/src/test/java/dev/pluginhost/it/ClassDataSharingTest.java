package dev.pluginhost.it;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import dev.pluginhost.it.support.RunningHost;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's class-data archive: made by the host in the background the first time, then mapped
 * by every plugin JVM started after, sandboxed or not, and never left half-made.
 */
class ClassDataSharingTest {
  private static final Duration TRAINING = Duration.ofMinutes(2);
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @TempDir Path temp;

  @Test
  void aPluginStartedAfterTheArchiveIsMade_mapsIt_andServes() throws Exception {
    Path cache = temp.resolve("cache");
    Path archive;
    try (RunningHost running = RunningHost.start(temp, b -> b.cacheDirectory(cache), "squares")) {
      long first = running.pidOf("squares");
      archive = awaitArchive(cache);
      assertFalse(treeMaps(first, archive), "the first JVM started before there was an archive to map");

      running.plugin("squares").restartAsync().get(TIMEOUT.toSeconds(), SECONDS);
      long second = running.pidOf("squares");

      assertTrue(treeMaps(second, archive), "pid " + second + " does not map " + archive);
      assertTrue(running.plugin("squares").callText("square", "7", TIMEOUT).startsWith("49@"));
    }
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> left = files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList();
      assertEquals(List.of(), left, "a training left temporary files");
    }
    assertEquals(List.of(), trainingJvms(cache), "a training JVM outlived the host");
  }

  @Test
  void closingTheHostWhileItTrains_killsTheTrainingJvm_andKeepsNoArchive() throws Exception {
    Path cache = temp.resolve("cache");
    try (RunningHost running = RunningHost.start(temp, b -> b.cacheDirectory(cache), "squares")) {
      running.pidOf("squares");
    }
    // The training starts with the first spawn and takes seconds; the host closed at once.
    for (ProcessHandle training : trainingJvms(cache)) {
      try {
        training.onExit().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        training.destroyForcibly();
        fail("the training JVM outlived its host's close() by " + TIMEOUT.toSeconds() + " s");
      }
    }
    try (Stream<Path> files = Files.list(cache)) {
      List<Path> left =
          files.filter(f -> f.getFileName().toString().matches("runner-.*\\.(jsa|aot)(\\..*\\.tmp)?")).toList();
      // An archive may exist only if the training happened to finish before the close.
      for (Path file : left) {
        assertFalse(file.getFileName().toString().endsWith(".tmp"), "a half-made archive was left: " + file);
      }
    }
  }

  /** Waits for the archive to be moved into {@code cache}, as the file system reports it. */
  private static Path awaitArchive(Path cache) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TRAINING.toNanos();
    try (WatchService watcher = cache.getFileSystem().newWatchService()) {
      cache.register(watcher, StandardWatchEventKinds.ENTRY_CREATE);
      while (true) {
        // Looked for after registering, so an archive moved in before then is not missed.
        try (Stream<Path> files = Files.list(cache)) {
          Optional<Path> archive = files.filter(ClassDataSharingTest::isArchive).findFirst();
          if (archive.isPresent()) {
            return archive.get();
          }
        }
        WatchKey key = watcher.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (key == null) {
          throw new AssertionError("no class-data archive appeared in " + cache + " within " + TRAINING);
        }
        key.pollEvents();
        key.reset();
      }
    }
  }

  private static boolean isArchive(Path file) {
    return file.getFileName().toString().matches("runner-\\d+-[0-9a-f]+\\.(jsa|aot)");
  }

  /** Whether the process or any of its descendants (the JVM, when bubblewrap is in between) maps {@code file}. */
  private static boolean treeMaps(long pid, Path file) throws IOException {
    ProcessHandle root = ProcessHandle.of(pid).orElseThrow();
    for (ProcessHandle process : Stream.concat(Stream.of(root), root.descendants()).toList()) {
      try {
        if (Files.readString(Path.of("/proc", Long.toString(process.pid()), "maps")).contains(file.toString())) {
          return true;
        }
      } catch (IOException gone) {
        // Exited meanwhile.
      }
    }
    return false;
  }

  /** This JVM's descendants that are training JVMs writing into {@code cache}. */
  private static List<ProcessHandle> trainingJvms(Path cache) {
    return ProcessHandle.current().descendants()
        .filter(p -> p.info().arguments()
            .map(args -> ClassDataArchive.isTraining(List.of(args)) && String.join(" ", args).contains(cache.toString()))
            .orElse(false))
        .toList();
  }
}
