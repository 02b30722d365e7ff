package dev.pluginhost.bench.figures;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Copies of a plugin jar under other ids, so that one host can run many plugins of the same code
 * (a host refuses a second plugin with an id it already has). Only the descriptor's {@code id}
 * changes; every other entry is copied as it is.
 */
public final class PluginCopies {
  static final String DESCRIPTOR = "META-INF/plugin.properties";

  private PluginCopies() {}

  /** {@code count} copies of {@code source} in {@code directory}, with ids {@code prefix-000}, ... */
  public static List<Path> copies(Path source, Path directory, String prefix, int count) throws IOException {
    List<Path> copies = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String id = id(prefix, i, count);
      copies.add(withId(source, directory.resolve(id + ".jar"), id));
    }
    return copies;
  }

  /** The id of copy {@code index} of {@code count}: the prefix and the index, zero-padded to one width. */
  static String id(String prefix, int index, int count) {
    int width = Math.max(3, Integer.toString(count - 1).length());
    return prefix + "-" + String.format(Locale.ROOT, "%0" + width + "d", index);
  }

  /**
   * Writes {@code target}: {@code source} with its descriptor's id set to {@code id}.
   *
   * @throws IllegalArgumentException if {@code source} has no descriptor
   */
  public static Path withId(Path source, Path target, String id) throws IOException {
    Files.createDirectories(target.toAbsolutePath().getParent());
    boolean described = false;
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(source));
        ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(target))) {
      for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
        byte[] bytes = in.readAllBytes();
        if (entry.getName().equals(DESCRIPTOR)) {
          Properties properties = new Properties();
          try (InputStream text = new ByteArrayInputStream(bytes)) {
            properties.load(text);
          }
          properties.setProperty("id", id);
          ByteArrayOutputStream rewritten = new ByteArrayOutputStream();
          properties.store(rewritten, null);
          bytes = rewritten.toByteArray();
          described = true;
        }
        out.putNextEntry(new ZipEntry(entry.getName()));
        out.write(bytes);
        out.closeEntry();
      }
    }
    if (!described) {
      Files.deleteIfExists(target);
      throw new IllegalArgumentException(source + " has no " + DESCRIPTOR);
    }
    return target;
  }
}
