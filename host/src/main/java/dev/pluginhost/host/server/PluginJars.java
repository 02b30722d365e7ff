package dev.pluginhost.host.server;

import dev.pluginhost.host.PluginChangeException;
import dev.pluginhost.host.internal.catalog.PluginCatalog;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The plugins directory as the admin API changes it: an uploaded jar is checked, then kept there
 * as {@code <id>-<version>.jar}, so the plugin is found again when the server restarts; a removed
 * or replaced plugin's jar is deleted, but only if it lies in that directory (a plugin the
 * operator placed elsewhere, or as a folder, is left alone).
 */
final class PluginJars {
  private static final Pattern SAFE = Pattern.compile("[^A-Za-z0-9._-]");

  private final Path directory;

  PluginJars(Path directory) {
    this.directory = directory;
  }

  /**
   * Writes {@code jar} into the plugins directory under a name no scan reads, checks its
   * descriptor, and gives it its final name, which it returns.
   *
   * @throws PluginChangeException INVALID_ARGUMENT if it is not a usable plugin (nothing is kept)
   */
  Path keep(byte[] jar, String fileName) {
    Path incoming = directory.resolve(".incoming-" + UUID.randomUUID() + ".part");
    try {
      Files.write(incoming, jar);
      PluginDescriptor descriptor;
      try {
        descriptor = PluginCatalog.read(incoming, incoming, java.util.List.of());
      } catch (IllegalArgumentException | IOException e) {
        throw new PluginChangeException(Status.Code.INVALID_ARGUMENT, (fileName.isEmpty() ? "the jar" : fileName) + ": " + e.getMessage());
      }
      String base = SAFE.matcher(descriptor.id() + "-" + descriptor.version()).replaceAll("_");
      Path target = directory.resolve(base + ".jar");
      for (int n = 2; Files.exists(target); n++) {
        target = directory.resolve(base + "-" + n + ".jar");
      }
      return Files.move(incoming, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot keep the uploaded jar in " + directory, e);
    } finally {
      try {
        Files.deleteIfExists(incoming);
      } catch (IOException e) {
        // A stray .part file: never read by a scan.
      }
    }
  }

  /** Deletes {@code source} if it is a jar directly in the plugins directory. */
  void delete(Path source) {
    if (source == null || !source.toString().endsWith(".jar")
        || !directory.toAbsolutePath().normalize().equals(source.toAbsolutePath().normalize().getParent())) {
      return;
    }
    try {
      Files.deleteIfExists(source);
    } catch (IOException e) {
      org.slf4j.LoggerFactory.getLogger(PluginJars.class).warn("could not delete {}", source, e);
    }
  }
}
