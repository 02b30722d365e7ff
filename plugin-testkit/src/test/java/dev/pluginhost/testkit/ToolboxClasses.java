package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.Plugin;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@link ToolboxPlugin} as a plugin author's {@code target/classes} would hold it: its classes,
 * its descriptor and its service entry, in a directory of their own (the test's classes directory
 * holds the tests too, and no descriptor).
 */
final class ToolboxClasses {
  private ToolboxClasses() {}

  /** Writes the toolbox's classes directory under {@code parent} and returns it. */
  static Path writeTo(Path parent) throws IOException, URISyntaxException {
    Path classes = Files.createDirectories(parent.resolve("classes"));
    Path compiled = Path.of(ToolboxPlugin.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    String packagePath = ToolboxPlugin.class.getPackageName().replace('.', '/');
    Path target = Files.createDirectories(classes.resolve(packagePath));
    List<Path> files;
    try (Stream<Path> list = Files.list(compiled.resolve(packagePath))) {
      files = list.filter(p -> p.getFileName().toString().startsWith(ToolboxPlugin.class.getSimpleName())).toList();
    }
    for (Path file : files) {
      Files.copy(file, target.resolve(file.getFileName()));
    }
    Path metaInf = Files.createDirectories(classes.resolve("META-INF/services"));
    Files.writeString(metaInf.resolve(Plugin.class.getName()), ToolboxPlugin.class.getName() + "\n");
    Files.writeString(classes.resolve("META-INF/plugin.properties"), "id=toolbox\nversion=1.0.0\napi=[1.3,2.0)\n");
    return classes;
  }
}
