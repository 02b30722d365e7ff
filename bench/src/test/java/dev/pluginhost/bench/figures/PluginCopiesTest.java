package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginCopiesTest {
  @TempDir Path dir;

  private Path jar(String descriptor) throws IOException {
    Path jar = dir.resolve("source.jar");
    try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(jar))) {
      out.putNextEntry(new ZipEntry("dev/x/Code.class"));
      out.write(new byte[] {1, 2, 3});
      out.closeEntry();
      if (descriptor != null) {
        out.putNextEntry(new ZipEntry(PluginCopies.DESCRIPTOR));
        out.write(descriptor.getBytes(StandardCharsets.ISO_8859_1));
        out.closeEntry();
      }
    }
    return jar;
  }

  private static Properties descriptor(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile());
        InputStream in = zip.getInputStream(zip.getEntry(PluginCopies.DESCRIPTOR))) {
      Properties properties = new Properties();
      properties.load(in);
      return properties;
    }
  }

  @Test
  void copies_haveDistinctPaddedIds_andKeepEverythingElse() throws IOException {
    Path source = jar("id=squares\nversion=1.2\napi=[1.1,2.0)\n");
    List<Path> copies = PluginCopies.copies(source, dir.resolve("out"), "squares", 3);

    assertEquals(
        List.of("squares-000.jar", "squares-001.jar", "squares-002.jar"),
        copies.stream().map(p -> p.getFileName().toString()).toList());
    for (int i = 0; i < 3; i++) {
      Properties p = descriptor(copies.get(i));
      assertEquals("squares-00" + i, p.getProperty("id"));
      assertEquals("1.2", p.getProperty("version"));
      assertEquals("[1.1,2.0)", p.getProperty("api"));
      try (ZipFile zip = new ZipFile(copies.get(i).toFile());
          InputStream code = zip.getInputStream(zip.getEntry("dev/x/Code.class"))) {
        assertArrayEquals(new byte[] {1, 2, 3}, code.readAllBytes());
      }
    }
  }

  @Test
  void id_padsToTheWidthOfTheLargestIndex_atLeastThree() {
    assertEquals("p-007", PluginCopies.id("p", 7, 100));
    assertEquals("p-0007", PluginCopies.id("p", 7, 1001));
  }

  @Test
  void aJarWithoutDescriptor_isRefused_andNoCopyIsLeft() throws IOException {
    Path source = jar(null);
    Path target = dir.resolve("out/x.jar");
    assertThrows(IllegalArgumentException.class, () -> PluginCopies.withId(source, target, "x"));
    assertFalse(Files.exists(target));
  }
}
