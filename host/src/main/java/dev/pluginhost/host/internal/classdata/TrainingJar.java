package dev.pluginhost.host.internal.classdata;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/** Writes the jar of {@link TrainingPlugin}: its descriptor, its service entry and its one class. */
final class TrainingJar {
  private TrainingJar() {}

  /** Writes the jar to {@code target}, replacing any file there. */
  static Path write(Path target) throws IOException {
    String classFile = TrainingPlugin.class.getName().replace('.', '/') + ".class";
    byte[] classBytes;
    try (InputStream in = TrainingPlugin.class.getClassLoader().getResourceAsStream(classFile)) {
      if (in == null) {
        throw new IOException("the host's own " + classFile + " cannot be read as a resource");
      }
      classBytes = in.readAllBytes();
    }
    try (OutputStream file = Files.newOutputStream(target);
        JarOutputStream jar = new JarOutputStream(file)) {
      put(jar, PluginApi.DESCRIPTOR_PATH,
          ("id=" + TrainingPlugin.ID + "\nversion=1\n").getBytes(StandardCharsets.UTF_8));
      put(jar, "META-INF/services/" + Plugin.class.getName(),
          (TrainingPlugin.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      put(jar, classFile, classBytes);
    }
    return target;
  }

  private static void put(JarOutputStream jar, String name, byte[] bytes) throws IOException {
    jar.putNextEntry(new JarEntry(name));
    jar.write(bytes);
    jar.closeEntry();
  }
}
