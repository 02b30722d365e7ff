package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A JDK as its {@code release} file describes it, found from a java launcher and read once per
 * launcher path.
 *
 * @param launcher the launcher's real path (links resolved)
 * @param home the JDK's home directory, the launcher's grandparent
 * @param values the release file's properties, quotes removed
 */
record JdkRelease(Path launcher, Path home, Properties values) {
  private static final Map<Path, Optional<JdkRelease>> READ = new ConcurrentHashMap<>();

  /** The JDK of launcher {@code java}; empty if it has no readable release file. */
  static Optional<JdkRelease> of(Path java) {
    return READ.computeIfAbsent(java.toAbsolutePath(), JdkRelease::read);
  }

  /** {@code JAVA_VERSION}, such as {@code 17.0.15}; empty if not said. */
  String version() {
    return values.getProperty("JAVA_VERSION", "");
  }

  /** The Java feature release, such as 17; 0 if unknown. */
  int feature() {
    return featureRelease(version());
  }

  /** The feature release of a {@code JAVA_VERSION} such as {@code 17.0.15} or {@code 25}; 0 if unreadable. */
  static int featureRelease(String version) {
    String first = version.split("[.+-]", 2)[0];
    try {
      int feature = Integer.parseInt(first);
      // Java 8 and older called themselves 1.x.
      return feature == 1 ? 0 : feature;
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static Optional<JdkRelease> read(Path java) {
    try {
      Path real = java.toRealPath();
      Path home = real.getParent() == null ? null : real.getParent().getParent();
      if (home == null) {
        return Optional.empty();
      }
      Properties raw = new Properties();
      try (InputStream in = Files.newInputStream(home.resolve("release"))) {
        raw.load(in);
      }
      Properties values = new Properties();
      raw.stringPropertyNames().forEach(name -> values.setProperty(name, unquote(raw.getProperty(name))));
      return Optional.of(new JdkRelease(real, home, values));
    } catch (IOException | RuntimeException e) {
      // No launcher or release file, or one Properties cannot read: nothing known.
      return Optional.empty();
    }
  }

  private static String unquote(String value) {
    String trimmed = value.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed;
  }
}
