package dev.pluginhost.bench;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessInfo;
import java.time.Duration;
import java.util.List;

/**
 * Waits on a plugin's pool for the benchmarks: until it has settled in the shape a measurement
 * expects, or has no process left. Every wait polls every 5 ms and gives up after {@link
 * #SETTLE_TIMEOUT}; the pids it sees are recorded in the given ledger, so they can be checked gone
 * at the end.
 */
public final class PluginWaits {
  /** The longest any of these waits. */
  public static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(30);
  /**
   * A pause after the pool settles: a JVM that has just started keeps compiling for a while, and
   * on two cores that would slow the next step.
   */
  public static final Duration QUIET = Duration.ofMillis(300);

  private PluginWaits() {}

  /**
   * Waits until the plugin runs with {@code serving} serving processes and {@code spares} spares
   * and nothing else, then {@code quiet} longer for the newest JVM to quieten.
   *
   * @throws IllegalStateException if the pool settles in another shape, or not in time
   */
  public static void settle(PluginHandle plugin, int serving, int spares, ProcessLedger ledger, Duration quiet)
      throws InterruptedException {
    if (!trySettle(plugin, serving, spares, ledger, quiet)) {
      throw new IllegalStateException(
          plugin.id() + " settled as " + plugin.processes() + ", not " + serving + " serving and " + spares
              + " spare(s)");
    }
  }

  /**
   * {@link #settle}, but returns false (at once, without the quiet pause) if every process is up
   * and the roles are not {@code serving} serving and {@code spares} spares.
   *
   * @throws IllegalStateException if the pool does not settle in time
   */
  public static boolean trySettle(PluginHandle plugin, int serving, int spares, ProcessLedger ledger, Duration quiet)
      throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (true) {
      List<ProcessInfo> processes = plugin.processes();
      ledger.record(processes);
      long servingNow = processes.stream().filter(p -> p.role() == ProcessInfo.Role.SERVING).count();
      long sparesNow = processes.stream().filter(p -> p.role() == ProcessInfo.Role.SPARE).count();
      if (plugin.state() == PluginState.RUNNING
          && servingNow + sparesNow == processes.size()
          && processes.size() == serving + spares) {
        if (servingNow != serving) {
          return false;
        }
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            plugin.id() + " did not settle within " + SETTLE_TIMEOUT.toSeconds() + " s: " + plugin.state() + " "
                + processes + "; last death: " + plugin.lastDeath().map(d -> d.detail()).orElse("none"));
      }
      Thread.sleep(5);
    }
    Thread.sleep(quiet.toMillis());
    return true;
  }

  /**
   * Waits until the plugin has no process (after a disable), then {@code quiet} longer.
   *
   * @throws IllegalStateException if processes remain after {@link #SETTLE_TIMEOUT}
   */
  public static void awaitNoProcesses(PluginHandle plugin, Duration quiet) throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_TIMEOUT.toNanos();
    while (!plugin.processes().isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(plugin.id() + " kept processes after it was disabled: " + plugin.processes());
      }
      Thread.sleep(5);
    }
    Thread.sleep(quiet.toMillis());
  }

  /**
   * Checks an answer of the {@code squares} sample's {@code square("7")} ({@code "49@PID-TAG"})
   * and returns which process gave it ({@code "PID-TAG"}). The pid alone does not tell processes
   * apart: inside the sandbox every plugin JVM is pid 2 of its own namespace.
   *
   * @throws IllegalStateException if the answer is anything else
   */
  public static String squareOfSevenSource(String answer) {
    String[] parts = answer.split("@");
    if (parts.length != 2 || !parts[0].equals("49")) {
      throw new IllegalStateException("square(7) answered '" + answer + "'");
    }
    return parts[1];
  }
}
