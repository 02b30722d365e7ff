package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.Samples;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Orphan cleanup: a host in a JVM of its own ({@link OrphanHostMain}) runs three sample plugins;
 * once they serve it is killed with SIGKILL, and every process below it (the plugins' sandboxes
 * and JVMs) is watched, every millisecond, until it is gone. A process left as a zombie (dead,
 * not yet reaped by whoever inherited it) counts as gone, and is noted.
 */
public final class OrphanFigure implements Figure {
  private static final List<String> PLUGINS = List.of("hello", "squares", "hanger");
  private static final Duration GIVE_UP = Duration.ofSeconds(15);

  @Override
  public String id() {
    return "orphans";
  }

  @Override
  public String title() {
    return "orphan cleanup: SIGKILL of a host JVM with " + PLUGINS.size() + " plugins to its last plugin process gone";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int rounds = context.pick(10, 3);
    Samples hostGone = new Samples("SIGKILL to the host's exit seen");
    Samples firstGone = new Samples("SIGKILL to the first plugin process gone");
    Samples lastGone = new Samples("SIGKILL to the last plugin process gone");
    List<String> notes = new ArrayList<>();
    Path plugins = context.pluginsDirectory(id(), PLUGINS.toArray(String[]::new));
    int processes = 0;
    int zombies = 0;
    context.progress().printf("  %d rounds, a new host JVM each%n", rounds);
    for (int round = 0; round < rounds; round++) {
      Path work = context.newDirectory("work-orphans");
      Path stderr = work.resolve("host-stderr.txt");
      Process host =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
                  "-cp",
                  System.getProperty("java.class.path"),
                  OrphanHostMain.class.getName(),
                  plugins.toString(),
                  work.toString(),
                  // The cache every host uses by default, whose class-data archive the run made
                  // first: a host killed while it trained would leave a training JVM to count.
                  OrphanHostMain.DEFAULT_CACHE)
              .redirectError(stderr.toFile())
              .start();
      Set<Long> tree = new LinkedHashSet<>();
      try {
        List<Long> printed = awaitServing(host, stderr);
        host.descendants().forEach(p -> tree.add(p.pid()));
        tree.addAll(printed);
        context.ledger().addAll(tree);
        processes = tree.size();
        Thread.sleep(300);
        long killedAt = System.nanoTime();
        // When this JVM saw the exit; waited on below, so it is always set before it is read.
        java.util.concurrent.CompletableFuture<Long> exitedAt = host.onExit().thenApply(p -> System.nanoTime());
        host.destroyForcibly();
        Set<Long> alive = new LinkedHashSet<>(tree);
        long first = 0;
        long last = 0;
        while (!alive.isEmpty() && System.nanoTime() - killedAt < GIVE_UP.toNanos()) {
          for (var it = alive.iterator(); it.hasNext(); ) {
            long pid = it.next();
            ProcessState state = state(pid);
            if (state != ProcessState.ALIVE) {
              long now = System.nanoTime();
              first = first == 0 ? now : first;
              last = now;
              zombies += state == ProcessState.ZOMBIE ? 1 : 0;
              it.remove();
            }
          }
          Thread.sleep(0, 500_000);
        }
        long exitSeen = exitedAt.get(5, TimeUnit.SECONDS);
        if (!alive.isEmpty()) {
          notes.add("round " + (round + 1) + ": " + alive.size() + " of " + tree.size() + " processes still alive after "
              + GIVE_UP.toSeconds() + " s (killed): " + alive);
          continue;
        }
        hostGone.add((exitSeen - killedAt) / 1e6);
        firstGone.add((first - killedAt) / 1e6);
        lastGone.add((last - killedAt) / 1e6);
      } finally {
        host.destroyForcibly();
        for (long pid : tree) {
          ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
      }
    }
    if (zombies > 0) {
      notes.add(zombies + " processes were seen as zombies (dead, not reaped yet) and counted gone then");
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("host", "a child JVM running " + OrphanHostMain.class.getSimpleName() + " (this jar), plugins "
        + String.join(", ", PLUGINS) + " with processes(1), host defaults otherwise (sandbox AUTO)");
    used.put("watched", processes + " processes below the host (its descendants once all served)");
    used.put("poll", "every ~0.5 ms: ProcessHandle.isAlive, and /proc/PID/stat for zombies");
    used.put("rounds", Integer.toString(rounds));
    return new FigureResult(
        id(),
        title(),
        List.of(new Measure(hostGone, "ms"), new Measure(firstGone, "ms"), new Measure(lastGone, "ms")),
        used,
        notes);
  }

  /** Reads the host's {@code serving PID...} line; fails, with the host's stderr, if it never comes. */
  private static List<Long> awaitServing(Process host, Path stderr) throws Exception {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                BufferedReader out =
                    new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
                return out.readLine();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    String serving;
    try {
      serving = line.get(2, TimeUnit.MINUTES);
    } catch (Exception e) {
      serving = null;
    }
    if (serving == null || !serving.startsWith("serving ")) {
      host.destroyForcibly();
      throw new IllegalStateException(
          "the host JVM did not report its plugins serving (said '" + serving + "'); its stderr: "
              + (Files.exists(stderr) ? Files.readString(stderr) : "(none)"));
    }
    List<Long> pids = new ArrayList<>();
    for (String word : serving.substring("serving ".length()).trim().split(" ")) {
      pids.add(Long.parseLong(word));
    }
    return pids;
  }

  enum ProcessState {
    ALIVE,
    ZOMBIE,
    GONE
  }

  /** Whether {@code pid} runs, is a zombie, or is gone. */
  static ProcessState state(long pid) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return ProcessState.GONE;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return parseState(stat) == 'Z' ? ProcessState.ZOMBIE : ProcessState.ALIVE;
    } catch (IOException e) {
      return ProcessState.GONE;
    }
  }

  /** The state letter of a {@code /proc/PID/stat} line: the first field after the command's ')'. */
  static char parseState(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0 || close + 2 >= stat.length()) {
      throw new IllegalArgumentException("not a /proc/PID/stat line: " + stat);
    }
    return stat.charAt(close + 2);
  }
}
