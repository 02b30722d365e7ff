package dev.pluginhost.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.stream.Stream;

/** The sample plugins and app as the build made them, and plugin directories made of them. */
public final class SamplePlugins {
  private SamplePlugins() {}

  /** samples/target/plugins of this build. */
  public static Path directory() {
    return requiredPath("pluginhost.samples.plugins");
  }

  /**
   * samples/target/patterns of this build: the pattern samples, kept apart from {@link #directory()}
   * so the demo does not start them.
   */
  public static Path patternsDirectory() {
    return requiredPath("pluginhost.samples.patterns");
  }

  /** The embedding application's shaded jar. */
  public static Path appJar() {
    return requiredPath("pluginhost.samples.app");
  }

  /**
   * A fresh plugins directory under {@code parent} holding only the named samples (from either
   * samples folder), so a test starts just the JVMs it needs.
   */
  public static Path select(Path parent, String... ids) throws IOException {
    Path plugins = Files.createDirectories(parent.resolve("plugins"));
    for (String id : ids) {
      copySample(id, plugins);
    }
    return plugins;
  }

  private static void copySample(String id, Path plugins) throws IOException {
    for (Path samples : List.of(directory(), patternsDirectory())) {
      Path jar = samples.resolve(id + ".jar");
      Path folder = samples.resolve(id);
      if (Files.isRegularFile(jar)) {
        Files.copy(jar, plugins.resolve(id + ".jar"), StandardCopyOption.REPLACE_EXISTING);
        return;
      }
      if (Files.isDirectory(folder)) {
        copyTree(folder, plugins.resolve(id));
        return;
      }
    }
    throw new IllegalArgumentException(
        "no sample plugin '" + id + "' in " + directory() + " or " + patternsDirectory());
  }

  /** Where tests share the unpacked runner jar, so each does not unpack its own. */
  public static Path runnerCache() {
    return Path.of("target", "runner-cache").toAbsolutePath();
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path source : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  private static Path requiredPath(String property) {
    String value = System.getProperty(property);
    if (value == null) {
      throw new IllegalStateException(property + " is not set; run the tests through Maven");
    }
    Path path = Path.of(value).toAbsolutePath().normalize();
    if (!Files.exists(path)) {
      throw new IllegalStateException(path + " does not exist; build the samples first");
    }
    return path;
  }
}
