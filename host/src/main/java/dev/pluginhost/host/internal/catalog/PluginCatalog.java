package dev.pluginhost.host.internal.catalog;

import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds the plugins in a directory. A plugin is either a jar directly in it, or a folder in it
 * holding exactly one plugin jar and, optionally, a {@code lib/} folder of jars. Nothing found
 * here is run: only descriptors are read.
 */
public final class PluginCatalog {
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  /** What a scan found: the usable plugins by id, and a sentence for each thing refused. */
  public record Scan(Map<String, PluginDescriptor> plugins, List<String> problems) {}

  private PluginCatalog() {}

  /**
   * Scans {@code directory}, in name order. A bad entry (no descriptor, an invalid id, an API
   * range this host does not satisfy, an id already taken) is left out and reported in
   * {@link Scan#problems()}; the rest are still usable.
   *
   * @throws IOException if the directory itself cannot be read
   */
  public static Scan scan(Path directory) throws IOException {
    Map<String, PluginDescriptor> plugins = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    List<Path> entries;
    try (Stream<Path> list = Files.list(directory)) {
      entries = list.sorted().toList();
    }
    for (Path entry : entries) {
      try {
        PluginDescriptor descriptor = null;
        if (Files.isDirectory(entry)) {
          descriptor = readFolder(entry);
        } else if (entry.getFileName().toString().endsWith(".jar")) {
          descriptor = read(entry, entry, List.of());
        }
        if (descriptor == null) {
          continue;
        }
        PluginDescriptor taken = plugins.get(descriptor.id());
        if (taken != null) {
          problems.add(entry + ": plugin id '" + descriptor.id() + "' is already used by " + taken.source());
          continue;
        }
        plugins.put(descriptor.id(), descriptor);
      } catch (IllegalArgumentException | IOException e) {
        problems.add(entry + ": " + e.getMessage());
      }
    }
    return new Scan(plugins, problems);
  }

  /**
   * The descriptor of one plugin: a jar, or a folder with one plugin jar and a lib/ of jars.
   *
   * @throws IllegalArgumentException if it is not a usable plugin, saying why
   * @throws IOException if it cannot be read
   */
  public static PluginDescriptor describe(Path source) throws IOException {
    if (Files.isDirectory(source)) {
      PluginDescriptor descriptor = readFolder(source);
      if (descriptor == null) {
        throw new IllegalArgumentException("holds no plugin jar (one with " + PluginApi.DESCRIPTOR_PATH + ")");
      }
      return descriptor;
    }
    if (!Files.isRegularFile(source)) {
      throw new IllegalArgumentException("no such file or folder");
    }
    try {
      return read(source, source, List.of());
    } catch (java.util.zip.ZipException e) {
      throw new IllegalArgumentException("not a jar: " + e.getMessage());
    }
  }

  private static PluginDescriptor readFolder(Path folder) throws IOException {
    List<Path> pluginJars = new ArrayList<>();
    try (Stream<Path> list = Files.list(folder)) {
      for (Path jar : list.filter(p -> p.toString().endsWith(".jar")).sorted().toList()) {
        if (hasDescriptor(jar)) {
          pluginJars.add(jar);
        }
      }
    }
    if (pluginJars.isEmpty()) {
      return null;
    }
    if (pluginJars.size() > 1) {
      throw new IllegalArgumentException(
          "holds " + pluginJars.size() + " plugin jars " + pluginJars + "; a plugin folder holds one");
    }
    List<Path> lib = new ArrayList<>();
    Path libFolder = folder.resolve("lib");
    if (Files.isDirectory(libFolder)) {
      try (Stream<Path> list = Files.list(libFolder)) {
        list.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(lib::add);
      }
    }
    return read(folder, pluginJars.get(0), lib);
  }

  private static boolean hasDescriptor(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.getEntry(PluginApi.DESCRIPTOR_PATH) != null;
    }
  }

  /** Reads and checks the descriptor of {@code jar}. */
  public static PluginDescriptor read(Path source, Path jar, List<Path> lib) throws IOException {
    Properties properties = new Properties();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(PluginApi.DESCRIPTOR_PATH);
      if (entry == null) {
        throw new IllegalArgumentException("not a plugin: no " + PluginApi.DESCRIPTOR_PATH + " in " + jar);
      }
      try (InputStream in = zip.getInputStream(entry)) {
        properties.load(in);
      }
    }
    String id = required(properties, "id");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "plugin id '" + id + "' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit");
    }
    String version = required(properties, "version");
    VersionRange api = VersionRange.parse(required(properties, "api"));
    if (!api.contains(PluginApi.VERSION)) {
      throw new IllegalArgumentException(
          "plugin '" + id + "' needs plugin-api " + api + " but this host provides " + PluginApi.VERSION);
    }
    List<Path> classpath = new ArrayList<>();
    classpath.add(jar.toAbsolutePath());
    lib.forEach(p -> classpath.add(p.toAbsolutePath()));
    return new PluginDescriptor(
        id, version, api, properties.getProperty("description", "").trim(), source.toAbsolutePath(), classpath);
  }

  private static String required(Properties properties, String key) {
    String value = properties.getProperty(key, "").trim();
    if (value.isEmpty()) {
      throw new IllegalArgumentException(PluginApi.DESCRIPTOR_PATH + " has no '" + key + "'");
    }
    return value;
  }
}
