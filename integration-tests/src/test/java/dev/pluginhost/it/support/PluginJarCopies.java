package dev.pluginhost.it.support;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/** Copies of a sample plugin's jar with another descriptor or without some entries: other versions of it. */
public final class PluginJarCopies {
  private static final String DESCRIPTOR = "META-INF/plugin.properties";

  private PluginJarCopies() {}

  /**
   * Writes {@code target}: {@code source} with its descriptor changed by {@code descriptor} and
   * only the entries {@code keep} accepts.
   */
  public static Path copy(Path source, Path target, Consumer<Properties> descriptor, Predicate<String> keep)
      throws IOException {
    Files.createDirectories(target.getParent());
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(source));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        if (!keep.test(entry.getName())) {
          continue;
        }
        byte[] bytes = in.readAllBytes();
        if (entry.getName().equals(DESCRIPTOR)) {
          Properties properties = new Properties();
          try (InputStream text = new ByteArrayInputStream(bytes)) {
            properties.load(text);
          }
          descriptor.accept(properties);
          ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
          properties.store(rewritten, null);
          bytes = rewritten.toByteArray();
        }
        out.putNextEntry(new ZipEntry(entry.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    return target;
  }

  /** {@code source} as version {@code version}. */
  public static Path withVersion(Path source, Path target, String version) throws IOException {
    return copy(source, target, p -> p.setProperty("version", version), name -> true);
  }
}
