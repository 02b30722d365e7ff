package dev.pluginhost.host.internal.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginCatalogTest {
  private static final String GOOD = "id=%s\nversion=1.2.3\napi=[1.0,2.0)\ndescription= Says hello \n";

  @TempDir Path dir;

  @Test
  void scan_goodJar_isFoundWithItsDescriptor() throws IOException {
    Path jar = jar(dir.resolve("hello.jar"), GOOD.formatted("hello"));

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(List.of(), scan.problems());
    PluginDescriptor hello = scan.plugins().get("hello");
    assertEquals("hello", hello.id());
    assertEquals("1.2.3", hello.version());
    assertEquals("[1.0,2.0)", hello.apiRange().toString());
    assertEquals("Says hello", hello.description());
    assertEquals(jar.toAbsolutePath(), hello.source());
    assertEquals(List.of(jar.toAbsolutePath()), hello.classpath());
  }

  @Test
  void scan_folderPlugin_putsItsJarFirstThenLibJarsInNameOrder() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("echo"));
    Path lib = Files.createDirectories(folder.resolve("lib"));
    Path pluginJar = jar(folder.resolve("echo-plugin.jar"), GOOD.formatted("echo"));
    jar(folder.resolve("a-helper.jar"), null); // not a plugin jar: ignored, not on the classpath
    Path libB = jar(lib.resolve("b.jar"), null);
    Path libA = jar(lib.resolve("a.jar"), null);
    Files.writeString(lib.resolve("notes.txt"), "not a jar");

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(List.of(), scan.problems());
    PluginDescriptor echo = scan.plugins().get("echo");
    assertEquals(folder.toAbsolutePath(), echo.source());
    assertEquals(
        List.of(pluginJar.toAbsolutePath(), libA.toAbsolutePath(), libB.toAbsolutePath()), echo.classpath());
  }

  @Test
  void scan_folderWithTwoPluginJars_isReported() throws IOException {
    Path folder = Files.createDirectories(dir.resolve("twice"));
    jar(folder.resolve("one.jar"), GOOD.formatted("one"));
    jar(folder.resolve("two.jar"), GOOD.formatted("two"));

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(Set.of(), scan.plugins().keySet());
    assertEquals(1, scan.problems().size());
    assertTrue(scan.problems().get(0).contains("holds 2 plugin jars"), scan.problems().get(0));
  }

  @Test
  void scan_entriesThatAreNotPlugins_areSkippedSilently() throws IOException {
    Files.writeString(dir.resolve("README.txt"), "hi");
    Path folder = Files.createDirectories(dir.resolve("just-libs"));
    jar(folder.resolve("lib.jar"), null);

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(Set.of(), scan.plugins().keySet());
    assertEquals(List.of(), scan.problems());
  }

  @Test
  void scan_topLevelJarWithoutDescriptor_isReported() throws IOException {
    jar(dir.resolve("plain.jar"), null);

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(1, scan.problems().size());
    assertTrue(scan.problems().get(0).contains("not a plugin: no " + PluginApi.DESCRIPTOR_PATH), scan.problems().get(0));
  }

  @Test
  void scan_descriptorMissingAField_reportsWhichField() throws IOException {
    jar(dir.resolve("a.jar"), "version=1\napi=1.0\n");
    jar(dir.resolve("b.jar"), "id=b\napi=1.0\n");
    jar(dir.resolve("c.jar"), "id=c\nversion=1\napi=   \n");

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(Set.of(), scan.plugins().keySet());
    assertEquals(
        List.of(
            dir.resolve("a.jar") + ": META-INF/plugin.properties has no 'id'",
            dir.resolve("b.jar") + ": META-INF/plugin.properties has no 'version'",
            dir.resolve("c.jar") + ": META-INF/plugin.properties has no 'api'"),
        scan.problems());
  }

  @Test
  void scan_badIds_areReported() throws IOException {
    jar(dir.resolve("a.jar"), GOOD.formatted("has space"));
    jar(dir.resolve("b.jar"), GOOD.formatted("-leading-dash"));
    jar(dir.resolve("c.jar"), GOOD.formatted("x".repeat(65)));
    jar(dir.resolve("d.jar"), GOOD.formatted("x".repeat(64)));

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(Set.of("x".repeat(64)), scan.plugins().keySet());
    assertEquals(3, scan.problems().size());
    assertTrue(
        scan.problems().get(0).endsWith(
            "plugin id 'has space' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit"),
        scan.problems().get(0));
  }

  @Test
  void scan_apiRangeWithoutThisHostsVersion_isReported() throws IOException {
    jar(dir.resolve("future.jar"), "id=future\nversion=1\napi=[2.0,3.0)\n");
    jar(dir.resolve("old.jar"), "id=old\nversion=1\napi=0.9\n");

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(Set.of(), scan.plugins().keySet());
    assertEquals(
        List.of(
            dir.resolve("future.jar") + ": plugin 'future' needs plugin-api [2.0,3.0) but this host provides "
                + PluginApi.VERSION,
            dir.resolve("old.jar") + ": plugin 'old' needs plugin-api 0.9 but this host provides "
                + PluginApi.VERSION),
        scan.problems());
  }

  @Test
  void scan_unparseableApiRange_isReported() throws IOException {
    jar(dir.resolve("bad.jar"), "id=bad\nversion=1\napi=[1.0\n");

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(List.of(dir.resolve("bad.jar") + ": version range '[1.0' must end with ']' or ')'"), scan.problems());
  }

  @Test
  void scan_duplicateId_keepsFirstInNameOrder_reportsSecond() throws IOException {
    Path first = jar(dir.resolve("a-hello.jar"), GOOD.formatted("hello"));
    jar(dir.resolve("b-hello.jar"), GOOD.formatted("hello"));

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(first.toAbsolutePath(), scan.plugins().get("hello").source());
    assertEquals(
        List.of(
            dir.resolve("b-hello.jar") + ": plugin id 'hello' is already used by " + first.toAbsolutePath()),
        scan.problems());
  }

  @Test
  void scan_badEntries_doNotHideGoodOnes() throws IOException {
    jar(dir.resolve("a-good.jar"), GOOD.formatted("alpha"));
    jar(dir.resolve("b-noid.jar"), "version=1\napi=1.0\n");
    Files.write(dir.resolve("c-corrupt.jar"), new byte[] {1, 2, 3});
    jar(dir.resolve("d-dup.jar"), GOOD.formatted("alpha"));
    Path folder = Files.createDirectories(dir.resolve("e-folder"));
    jar(folder.resolve("p.jar"), GOOD.formatted("epsilon"));
    jar(dir.resolve("f-good.jar"), GOOD.formatted("zeta"));

    PluginCatalog.Scan scan = PluginCatalog.scan(dir);

    assertEquals(List.of("alpha", "epsilon", "zeta"), List.copyOf(scan.plugins().keySet()));
    assertEquals(3, scan.problems().size(), scan.problems().toString());
    assertTrue(scan.problems().get(1).startsWith(dir.resolve("c-corrupt.jar") + ": "), scan.problems().get(1));
  }

  @Test
  void scan_missingDirectory_throws() {
    assertThrows(NoSuchFileException.class, () -> PluginCatalog.scan(dir.resolve("absent")));
  }

  /** Writes a jar holding one class-like entry and, unless null, the given descriptor. */
  private static Path jar(Path path, String descriptor) throws IOException {
    try (OutputStream file = Files.newOutputStream(path);
        JarOutputStream jar = new JarOutputStream(file)) {
      jar.putNextEntry(new ZipEntry("dev/example/Placeholder.class"));
      jar.write(new byte[] {(byte) 0xca, (byte) 0xfe});
      jar.closeEntry();
      if (descriptor != null) {
        jar.putNextEntry(new ZipEntry(PluginApi.DESCRIPTOR_PATH));
        jar.write(descriptor.getBytes(StandardCharsets.ISO_8859_1));
        jar.closeEntry();
      }
    }
    return path;
  }
}
