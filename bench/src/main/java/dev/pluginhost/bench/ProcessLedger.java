package dev.pluginhost.bench;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.ProcessInfo;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every plugin process a benchmark saw, so that none outlives it: once its hosts are closed,
 * {@link #reapSurvivors} waits briefly for each to be gone and kills, and names, any that is not.
 * Thread-safe.
 */
public final class ProcessLedger {
  private final Set<Long> pids = ConcurrentHashMap.newKeySet();

  /** Records one pid; non-positive ones (none known) are ignored. */
  public void add(long pid) {
    if (pid > 0) {
      pids.add(pid);
    }
  }

  public void addAll(Collection<Long> more) {
    more.forEach(this::add);
  }

  /** Records the pids of a snapshot of a pool. */
  public void record(List<ProcessInfo> processes) {
    processes.forEach(p -> add(p.pid()));
  }

  /** Records the pid of every later event of the plugin, on the thread that reports it. */
  public PluginHandle watch(PluginHandle plugin) {
    plugin.addListener(event -> add(event.pid()), directExecutor());
    plugin.pid().ifPresent(this::add);
    return plugin;
  }

  /** A copy of the pids recorded so far. */
  public Set<Long> pids() {
    return Set.copyOf(pids);
  }

  /**
   * After the hosts closed: waits up to 5 s for each recorded process (with its descendants) to
   * be gone, kills any that is not, reports those on {@code err} and returns them.
   */
  public List<Long> reapSurvivors(PrintStream err) {
    List<Long> survivors = new ArrayList<>();
    for (long pid : pids) {
      Optional<ProcessHandle> process = ProcessHandle.of(pid);
      if (process.isEmpty()) {
        continue;
      }
      try {
        process.get().onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception stillAlive) {
        process.get().descendants().forEach(ProcessHandle::destroyForcibly);
        process.get().destroyForcibly();
        survivors.add(pid);
      }
    }
    if (!survivors.isEmpty()) {
      err.println("plugin processes outlived their host and were killed: " + survivors);
    }
    return survivors;
  }
}
