package dev.pluginhost.host.internal.spawn;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/** What a JDK's {@code release} file says about it, read once per java launcher. */
final class JdkRelease {
  private static final Map<Path, Properties> READ = new ConcurrentHashMap<>();

  private JdkRelease() {}

  /**
   * The {@code release} file of the JDK that {@code java} (a launcher, as a path) belongs to, with
   * quotes removed from its values; empty if there is none or it cannot be read.
   */
  static Properties of(Path java) {
    return READ.computeIfAbsent(java.toAbsolutePath(), JdkRelease::read);
  }

  /** The Java feature release of the JDK of {@code java}, such as 17; 0 if unknown. */
  static int feature(Path java) {
    return featureRelease(of(java).getProperty("JAVA_VERSION", ""));
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

  private static Properties read(Path java) {
    Properties unquoted = new Properties();
    try {
      Path real = java.toRealPath();
      Path home = real.getParent() == null ? null : real.getParent().getParent();
      if (home == null) {
        return unquoted;
      }
      Properties raw = new Properties();
      try (InputStream in = Files.newInputStream(home.resolve("release"))) {
        raw.load(in);
      }
      raw.stringPropertyNames().forEach(name -> unquoted.setProperty(name, unquote(raw.getProperty(name))));
    } catch (IOException | RuntimeException e) {
      // No release file, or one Properties cannot read: nothing known.
      unquoted.clear();
    }
    return unquoted;
  }

  private static String unquote(String value) {
    String trimmed = value.trim();
    if (trimmed.length() >= 2 && trimmed.startsWith("\"") && trimmed.endsWith("\"")) {
      return trimmed.substring(1, trimmed.length() - 1);
    }
    return trimmed;
  }
}
