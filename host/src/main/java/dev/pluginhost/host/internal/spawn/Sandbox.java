package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The bubblewrap sandbox around a plugin JVM: new user, PID, network, IPC, UTS and cgroup
 * namespaces (so no network but a loopback of its own, and no view of other processes), a new
 * session, a read-only view of /usr and the JDK, and write access to nothing but the spawn's own
 * run, data and socket directories. It dies with the host's spawning thread, and everything
 * inside it dies with it, escapees included: they can only re-parent to the namespace's first
 * process.
 */
public final class Sandbox {
  private final Path bwrap;

  private Sandbox(Path bwrap) {
    this.bwrap = bwrap;
  }

  /** What a probe of this machine found: a usable sandbox, or why there is none. */
  public record Availability(Sandbox sandbox, String problem) {
    public boolean available() {
      return sandbox != null;
    }
  }

  /**
   * Looks for bubblewrap and checks it can make every namespace the sandbox needs, by running
   * {@code true} inside one. Takes a few milliseconds; call once per host.
   */
  public static Availability probe() {
    Path bwrap = null;
    for (String dir : List.of("/usr/bin", "/bin", "/usr/local/bin")) {
      Path candidate = Path.of(dir, "bwrap");
      if (Files.isExecutable(candidate)) {
        bwrap = candidate;
        break;
      }
    }
    if (bwrap == null) {
      return new Availability(null, "bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap");
    }
    try {
      Process trial =
          new ProcessBuilder(bwrap.toString(), "--unshare-all", "--die-with-parent", "--ro-bind", "/", "/", "true")
              .redirectErrorStream(true)
              .start();
      trial.getOutputStream().close();
      // Wait first: a hung bwrap holding its output open must not hang the probe. What it says
      // on failure is a line or two, well within a pipe's buffer.
      if (!trial.waitFor(10, TimeUnit.SECONDS)) {
        trial.destroyForcibly();
        return new Availability(null, bwrap + " did not finish a trial run within 10 s");
      }
      byte[] output = trial.getInputStream().readNBytes(4096);
      if (trial.exitValue() != 0) {
        return new Availability(
            null, bwrap + " cannot create the namespaces it needs here: " + new String(output).trim());
      }
      return new Availability(new Sandbox(bwrap), null);
    } catch (IOException e) {
      return new Availability(null, "cannot run " + bwrap + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Availability(null, "interrupted while trying " + bwrap);
    }
  }

  /** The bubblewrap executable this sandbox runs. */
  public Path executable() {
    return bwrap;
  }

  /**
   * Wraps {@code command} (whose first element is the java launcher) in the sandbox.
   *
   * @param readOnly files or directories the JVM must read (the runner jar, the plugin's jars)
   * @param writable directories it may write (its run directory, data directory, socket directory)
   * @param network whether the plugin keeps the host's network namespace (the {@code network}
   *     grant) instead of a loopback of its own; it then also reads the host's name resolution files
   */
  public List<String> wrap(
      List<String> command, Path workingDirectory, List<Path> readOnly, List<Path> writable, boolean network)
      throws IOException {
    List<String> args = new ArrayList<>();
    args.add(bwrap.toString());
    args.add("--die-with-parent");
    args.add("--unshare-all");
    if (network) {
      args.add("--share-net");
    }
    // A new session, so the plugin cannot push input into a terminal (TIOCSTI).
    args.add("--new-session");
    args.add("--ro-bind");
    args.add("/usr");
    args.add("/usr");
    for (String top : List.of("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")) {
      Path path = Path.of(top);
      if (Files.isSymbolicLink(path)) {
        args.add("--symlink");
        args.add(Files.readSymbolicLink(path).toString());
        args.add(top);
      } else if (Files.isDirectory(path)) {
        args.add("--ro-bind");
        args.add(top);
        args.add(top);
      }
    }
    Set<Path> toRead = new LinkedHashSet<>();
    Path java = Path.of(command.get(0)).toRealPath();
    // The JDK, wherever it lives, and what its conf/ links point at (Debian keeps those in /etc).
    Path javaHome = java.getParent().getParent();
    toRead.add(javaHome);
    toRead.addAll(linkTargets(javaHome.resolve("conf")));
    toRead.addAll(linkTargets(javaHome.resolve("lib")));
    List<Path> etcFiles = new ArrayList<>(List.of(Path.of("/etc/localtime"), Path.of("/etc/ld.so.cache")));
    if (network) {
      etcFiles.addAll(List.of(Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"), Path.of("/etc/nsswitch.conf")));
    }
    for (Path etc : etcFiles) {
      if (Files.exists(etc)) {
        toRead.add(etc);
      }
    }
    toRead.addAll(readOnly);
    // Mounts apply in order: /tmp's tmpfs goes first, or it would hide binds beneath /tmp.
    args.add("--proc");
    args.add("/proc");
    args.add("--dev");
    args.add("/dev");
    args.add("--tmpfs");
    args.add("/tmp");
    for (Path path : toRead) {
      if (!path.startsWith("/usr")) {
        args.add("--ro-bind");
        args.add(path.toString());
        args.add(path.toString());
      }
    }
    for (Path path : writable) {
      args.add("--bind");
      args.add(path.toString());
      args.add(path.toString());
    }
    args.add("--chdir");
    args.add(workingDirectory.toString());
    args.add("--");
    // bwrap sets PWD after --chdir; the plugin gets no variable the host did not choose.
    args.add("/usr/bin/env");
    args.add("-u");
    args.add("PWD");
    args.addAll(command);
    return args;
  }

  /** The real directories that symbolic links directly inside {@code dir} point into. */
  private static Set<Path> linkTargets(Path dir) throws IOException {
    Set<Path> targets = new LinkedHashSet<>();
    if (!Files.isDirectory(dir)) {
      return targets;
    }
    try (Stream<Path> entries = Files.walk(dir, 3)) {
      for (Path entry : (Iterable<Path>) entries::iterator) {
        if (Files.isSymbolicLink(entry)) {
          Path target = entry.toRealPath().getParent();
          if (target != null && !target.startsWith(dir.toRealPath())) {
            targets.add(target);
          }
        }
      }
    } catch (IOException e) {
      // A dangling link: nothing to bind for it.
    }
    return targets;
  }
}
