package dev.pluginhost.host.internal.doctor;

import dev.pluginhost.host.internal.Directories;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** The {@code epoll} and {@code socket-dir} rows: how the host reaches plugins, and who else can. */
final class SocketChecks {
  static final String EPOLL = "epoll";
  static final String SOCKET_DIR = "socket-dir";
  /** The longest socket path the host accepts (PluginProcess), inside the kernel's 107 bytes. */
  static final int MAX_SOCKET_PATH = 100;
  /**
   * The longest plugin id whose socket path fits: a temp directory's name ends in up to 20
   * digits, so the longest path is "/tmp/ph-" + 20, then "/" + id + "-" + 20, then "/r.sock".
   */
  static final int LONGEST_ID = MAX_SOCKET_PATH - ("/tmp/ph-".length() + 20) - 1 - (1 + 20) - "/r.sock".length();

  private SocketChecks() {}

  /** Loads Netty's native epoll library, as the host's event loops do. */
  static Protection epoll() {
    return epoll(Epoll.isAvailable(), Epoll.unavailabilityCause());
  }

  static Protection epoll(boolean available, Throwable cause) {
    if (available) {
      return new Protection(EPOLL, Protection.Status.YES, true,
          "Netty's native epoll transport loads (grpc-netty-shaded): the host talks to plugins over Unix sockets");
    }
    return new Protection(EPOLL, Protection.Status.NO, true,
        "Netty's native epoll transport does not load (" + (cause == null ? "no reason given" : cause) + "), and the"
            + " host needs it for Unix sockets: it runs on Linux x86_64 and aarch64 only, and unpacks its library"
            + " into java.io.tmpdir, which must be writable and not mounted noexec");
  }

  /** Makes and removes a socket root exactly as a host does (PluginHost), and looks at it. */
  static Protection socketDirectory() {
    Path root = null;
    try {
      root = Files.createTempDirectory(Path.of("/tmp"), "ph-");
      return socketDirectory(Files.getPosixFilePermissions(root), Files.getOwner(root).getName(), null);
    } catch (IOException | UnsupportedOperationException e) {
      return socketDirectory(null, null, e.toString());
    } finally {
      Directories.deleteQuietly(root);
    }
  }

  /**
   * The row for a socket root made as a host makes it.
   *
   * @param failure why it could not be made or looked at, or null
   */
  static Protection socketDirectory(Set<PosixFilePermission> permissions, String owner, String failure) {
    if (failure != null) {
      return new Protection(SOCKET_DIR, Protection.Status.NO, true,
          "cannot make a private socket directory in /tmp (" + failure + "): the host cannot start");
    }
    String mode = PosixFilePermissions.toString(permissions);
    if (!permissions.equals(PosixFilePermissions.fromString("rwx------"))) {
      return new Protection(SOCKET_DIR, Protection.Status.NO, true,
          "a socket directory made in /tmp came out " + mode + ", not rwx------: other users could reach plugins'"
              + " sockets; check /tmp's file system and mount options (ACLs)");
    }
    return new Protection(SOCKET_DIR, Protection.Status.YES, true,
        "/tmp/ph-*/<plugin>-*/r.sock, each directory rwx------ for " + owner + " (checked by making one);"
            + " a sandboxed plugin sees only its own, a bare one is hung up on by the other runners (peer credentials) and refused without their per-spawn token;"
            + " plugin ids up to " + LONGEST_ID + " bytes fit a socket path");
  }
}
