package dev.pluginhost.testkit.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pluginhost.host.internal.catalog.PluginCatalog;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kit's descriptor checks are a copy of the host catalog's (the in-process mode loads no host
 * class): each descriptor here is taken or refused alike, in the same words, by both.
 */
class DescriptorChecksTest {

  @ParameterizedTest
  @ValueSource(strings = {
    "id=toolbox\nversion=1.0\napi=[1.0,2.0)",
    "id=toolbox\nversion=1.0\napi=" + PluginApi.VERSION,
    "id=toolbox\nversion=1.0\napi=(1.0,]",
    "id=a_b-9\nversion=x\napi=[,)",
    "version=1.0\napi=[1.0,2.0)",
    "id=bad id!\nversion=1.0\napi=[1.0,2.0)",
    "id=-dash\nversion=1.0\napi=[1.0,2.0)",
    "id=toolbox\napi=[1.0,2.0)",
    "id=toolbox\nversion=1.0",
    "id=toolbox\nversion=1.0\napi=[2.0,3.0)",
    "id=toolbox\nversion=1.0\napi=[1.0,1.3)",
    "id=toolbox\nversion=1.0\napi=0.9",
    "id=toolbox\nversion=1.0\napi=one",
    "id=toolbox\nversion=1.0\napi=[2.0,1.0)",
    "id=toolbox\nversion=1.0\napi=[1.0;2.0)",
    "id=toolbox\nversion=1.0\napi=[1.0,2.0",
  })
  void aDescriptor_isTakenOrRefusedAsTheHostsCatalogTakesOrRefusesIt(String descriptor, @TempDir Path directory)
      throws IOException {
    Path jar = jarWith(directory, descriptor);
    IllegalArgumentException hostRefusal = null;
    PluginDescriptor hosts = null;
    try {
      hosts = PluginCatalog.read(jar, jar, List.of());
    } catch (IllegalArgumentException e) {
      hostRefusal = e;
    }
    if (hostRefusal != null) {
      IllegalArgumentException kits = assertThrows(IllegalArgumentException.class, () -> PluginSource.open(jar).checked());
      assertEquals(hostRefusal.getMessage(), kits.getMessage());
    } else {
      PluginSource kits = PluginSource.open(jar).checked();
      assertEquals(hosts.id(), kits.id());
      assertEquals(hosts.version(), kits.version());
    }
  }

  private static Path jarWith(Path directory, String descriptor) throws IOException {
    Path jar = directory.resolve("plugin.jar");
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new ZipEntry(PluginApi.DESCRIPTOR_PATH));
      out.write(descriptor.getBytes(StandardCharsets.UTF_8));
      out.closeEntry();
    }
    return jar;
  }
}
