package dev.pluginhost.host.cli;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds the sample plugins of a source build, for the demo's default. */
final class SamplesLocator {
  private static final Path RELATIVE = Path.of("samples", "target", "plugins");

  private SamplesLocator() {}

  /**
   * The samples beside this build: {@code host/target/pluginhost.jar} sits two levels below the
   * project root. Falls back to the working directory; null if neither has them.
   */
  static Path find() {
    try {
      Path jar = Path.of(SamplesLocator.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path root = jar.getParent() == null ? null : jar.getParent().getParent();
      if (root != null && root.getParent() != null) {
        Path candidate = root.getParent().resolve(RELATIVE);
        if (Files.isDirectory(candidate)) {
          return candidate;
        }
      }
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      // Fall through to the working directory.
    }
    Path local = Path.of("").toAbsolutePath().resolve(RELATIVE);
    return Files.isDirectory(local) ? local : null;
  }
}
