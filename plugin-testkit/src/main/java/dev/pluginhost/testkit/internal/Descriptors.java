package dev.pluginhost.testkit.internal;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Optional;

/** The descriptor that sits with a class: in the jar or classes directory the class came from. */
public final class Descriptors {
  private Descriptors() {}

  /**
   * The plugin whose code {@code type} is part of, read from the jar or classes directory holding
   * it, if that holds a descriptor ({@code target/classes} of the plugin's own module does).
   */
  public static Optional<PluginSource> near(Class<?> type) {
    CodeSource code = type.getProtectionDomain() == null ? null : type.getProtectionDomain().getCodeSource();
    if (code == null || code.getLocation() == null) {
      return Optional.empty();
    }
    try {
      PluginSource source = PluginSource.open(Path.of(code.getLocation().toURI()));
      return source.kind() == PluginSource.Kind.FOLDER ? Optional.empty() : Optional.of(source);
    } catch (URISyntaxException | java.io.IOException | RuntimeException notAPlugin) {
      return Optional.empty();
    }
  }
}
