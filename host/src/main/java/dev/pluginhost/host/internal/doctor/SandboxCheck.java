package dev.pluginhost.host.internal.doctor;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.SandboxMode;
import dev.pluginhost.host.internal.spawn.Sandbox;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The {@code sandbox} row: whether bubblewrap works here, and which namespaces it really makes. */
final class SandboxCheck {
  static final String NAME = "sandbox";
  /** Every namespace the sandbox asks for, in the order the row lists them. */
  static final List<String> NAMESPACES = List.of("user", "pid", "net", "ipc", "uts", "cgroup");
  /** Those a plugin's isolation rests on: its uid mapping, its view of processes, its network. */
  static final List<String> ESSENTIAL = List.of("user", "pid", "net");

  private SandboxCheck() {}

  static Protection probe(PluginSettings settings, HostIdentity identity) {
    Sandbox.Availability availability = Sandbox.probe();
    boolean used = settings.sandbox() != SandboxMode.OFF;
    if (!availability.available()) {
      return unavailable(availability.problem(), used);
    }
    Path bwrap = availability.sandbox().executable();
    List<String> command = new ArrayList<>(
        List.of(bwrap.toString(), "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "--proc", "/proc", "readlink"));
    NAMESPACES.forEach(ns -> command.add("/proc/self/ns/" + ns));
    ShortCommand.Result inside = ShortCommand.run(command);
    Set<String> created = new LinkedHashSet<>();
    String listProblem = null;
    if (inside.succeeded()) {
      String[] links = inside.output().split("\n");
      for (int i = 0; i < NAMESPACES.size() && i < links.length; i++) {
        try {
          String outside = Files.readSymbolicLink(Path.of("/proc/self/ns", NAMESPACES.get(i))).toString();
          if (!links[i].trim().equals(outside)) {
            created.add(NAMESPACES.get(i));
          }
        } catch (IOException | UnsupportedOperationException e) {
          listProblem = "cannot read this process's namespaces: " + e.getMessage();
        }
      }
    } else {
      listProblem = "cannot list its namespaces: " + inside.output();
    }
    return available(bwrap, runsAs(bwrap, identity), created, listProblem, used);
  }

  /** The row where bubblewrap is missing or does not work. */
  static Protection unavailable(String problem, boolean used) {
    return new Protection(NAME, Protection.Status.NO, used,
        problem + "; meanwhile plugins run bare under SandboxMode AUTO (the default) and refuse to start under REQUIRED");
  }

  /**
   * The row where bubblewrap works.
   *
   * @param created the namespaces a sandboxed process was seen to get
   * @param listProblem why {@code created} could not be found out, or null
   */
  static Protection available(Path bwrap, String runsAs, Set<String> created, String listProblem, boolean used) {
    String head = "bubblewrap " + bwrap + ", " + runsAs;
    if (listProblem != null) {
      return new Protection(NAME, Protection.Status.PARTIAL, used, head + "; " + listProblem);
    }
    List<String> missing = ESSENTIAL.stream().filter(ns -> !created.contains(ns)).toList();
    String namespaces = "new namespaces: " + (created.isEmpty() ? "none" : String.join(", ", created));
    if (missing.isEmpty()) {
      return new Protection(NAME, Protection.Status.YES, used, head + "; " + namespaces);
    }
    return new Protection(NAME, Protection.Status.PARTIAL, used,
        head + "; " + namespaces + "; but no " + String.join(", ", missing) + " namespace"
            + (missing.contains("user") ? " (allow user namespaces: sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)" : ""));
  }

  /** Whether bubblewrap runs as root, setuid root, or as an ordinary user. */
  static String runsAs(Path bwrap, HostIdentity identity) {
    if (identity.root()) {
      return "run as root";
    }
    boolean setuid = false;
    try {
      setuid = (((Integer) Files.getAttribute(bwrap, "unix:mode")) & 04000) != 0;
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // Taken as not setuid.
    }
    return (setuid ? "setuid root, run by uid " : "unprivileged, as uid ") + identity.uid();
  }
}
