package dev.pluginhost.host.internal.doctor;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.spawn.Cgroups;
import java.util.List;

/**
 * Finds out what isolation this machine gives plugins, by the same probes the host uses and by
 * trying what it would run (bubblewrap, prlimit, a socket directory). Takes a few tens of
 * milliseconds; changes nothing it does not undo (a trial socket directory is removed again).
 * Thread-safe; each call probes afresh.
 */
public final class IsolationProbe {
  private IsolationProbe() {}

  /** The report for plugins run with the default settings. */
  public static IsolationReport run() {
    return run(PluginSettings.defaults());
  }

  /** The report for plugins run with {@code settings}: these decide which rows are "used". */
  public static IsolationReport run(PluginSettings settings) {
    HostIdentity identity = HostIdentity.current();
    Cgroups cgroups = Cgroups.probe();
    return new IsolationReport(List.of(
        SandboxCheck.probe(settings, identity),
        ProcCheck.probe(),
        LimitChecks.prlimit(settings),
        LimitChecks.nproc(identity),
        CgroupChecks.pids(cgroups, settings, identity),
        CgroupChecks.memory(cgroups, settings, identity),
        LimitChecks.jvm(settings),
        SocketChecks.epoll(),
        SocketChecks.socketDirectory(),
        LimitChecks.jdk(settings)));
  }
}
