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
import java.time.Duration;
import java.util.List;
import java.util.Optional;
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
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (!trainingJvms(cache).isEmpty()) {
      if (System.nanoTime() > deadline) {
        trainingJvms(cache).forEach(ProcessHandle::destroyForcibly);
        fail("the training JVM outlived its host's close() by " + TIMEOUT.toSeconds() + " s");
      }
      Thread.sleep(20);
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

  private static Path awaitArchive(Path cache) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TRAINING.toNanos();
    while (System.nanoTime() < deadline) {
      try (Stream<Path> files = Files.list(cache)) {
        Optional<Path> archive =
            files.filter(f -> f.getFileName().toString().matches("runner-\\d+-[0-9a-f]+\\.(jsa|aot)")).findFirst();
        if (archive.isPresent()) {
          return archive.get();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no class-data archive appeared in " + cache + " within " + TRAINING);
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
