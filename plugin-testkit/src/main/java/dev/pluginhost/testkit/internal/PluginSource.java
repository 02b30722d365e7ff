package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Where a plugin's code is, in one of the three forms a test has at hand: a built plugin jar, a
 * plugin folder (one plugin jar and a {@code lib/} of jars, as the host takes it), or a directory
 * of compiled classes with its {@code META-INF} (such as {@code target/classes}). Reads the
 * descriptor, and {@link #checked()} checks it as the host does; runs no plugin code.
 */
public final class PluginSource {
  /** Which of the three forms. */
  public enum Kind { JAR, FOLDER, CLASSES }

  private final Path path;
  private final Kind kind;
  private final Path pluginJarOrClasses;
  private final List<Path> libraries;
  private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{0,63}");

  private final String id;
  private final String version;
  private final String api;

  private PluginSource(Path path, Kind kind, Path pluginJarOrClasses, List<Path> libraries, Properties descriptor) {
    this.path = path;
    this.kind = kind;
    this.pluginJarOrClasses = pluginJarOrClasses;
    this.libraries = List.copyOf(libraries);
    this.id = descriptor.getProperty("id", "").trim();
    this.version = descriptor.getProperty("version", "").trim();
    this.api = descriptor.getProperty("api", "").trim();
  }

  /**
   * Reads the plugin at {@code path}.
   *
   * @throws IllegalArgumentException if it is none of the three forms (whether its descriptor is one
   *     the host takes, {@link #checked()} says)
   * @throws IOException if it cannot be read
   */
  public static PluginSource open(Path path) throws IOException {
    Path absolute = path.toAbsolutePath().normalize();
    if (Files.isRegularFile(absolute)) {
      Properties descriptor = jarDescriptor(absolute);
      if (descriptor == null) {
        throw new IllegalArgumentException("not a plugin: no " + PluginApi.DESCRIPTOR_PATH + " in " + absolute);
      }
      return new PluginSource(absolute, Kind.JAR, absolute, List.of(), descriptor);
    }
    if (!Files.isDirectory(absolute)) {
      throw new IllegalArgumentException("no plugin jar, plugin folder or classes directory at " + absolute);
    }
    Path descriptorFile = absolute.resolve(PluginApi.DESCRIPTOR_PATH);
    if (Files.isRegularFile(descriptorFile)) {
      Properties descriptor = new Properties();
      try (InputStream in = Files.newInputStream(descriptorFile)) {
        descriptor.load(in);
      }
      return new PluginSource(absolute, Kind.CLASSES, absolute, List.of(), descriptor);
    }
    List<Path> pluginJars = new ArrayList<>();
    Properties descriptor = null;
    for (Path jar : jars(absolute)) {
      Properties found = jarDescriptor(jar);
      if (found != null) {
        pluginJars.add(jar);
        descriptor = found;
      }
    }
    if (pluginJars.size() != 1) {
      throw new IllegalArgumentException(
          absolute + " is no plugin: a classes directory has " + PluginApi.DESCRIPTOR_PATH
              + ", a plugin folder exactly one jar with it; found " + pluginJars.size() + " such jars");
    }
    Path lib = absolute.resolve("lib");
    return new PluginSource(
        absolute, Kind.FOLDER, pluginJars.get(0), Files.isDirectory(lib) ? jars(lib) : List.of(), descriptor);
  }

  /** The path given, absolute. */
  public Path path() {
    return path;
  }

  public Kind kind() {
    return kind;
  }

  /** The plugin's own jar, or its classes directory. */
  public Path pluginJarOrClasses() {
    return pluginJarOrClasses;
  }

  /** The jars of a plugin folder's {@code lib/}; empty for the other forms. */
  public List<Path> libraries() {
    return libraries;
  }

  /** Its own code first, then its libraries: what its class loader loads. */
  public List<Path> classpath() {
    List<Path> classpath = new ArrayList<>();
    classpath.add(pluginJarOrClasses);
    classpath.addAll(libraries);
    return classpath;
  }

  public String id() {
    return id;
  }

  /**
   * Checks the descriptor as the host's catalog does before it runs anything, with its words: an id
   * of 1 to 64 letters, digits, '-' or '_' starting with a letter or digit, a version, and an
   * {@code api} range that holds this plugin API's version. These checks mirror the host's {@code
   * PluginCatalog.read} and are kept in step with it by hand, as the in-process mode loads no host
   * class.
   *
   * @return this
   * @throws IllegalArgumentException saying what the host would refuse
   */
  public PluginSource checked() {
    if (id.isEmpty()) {
      throw new IllegalArgumentException(PluginApi.DESCRIPTOR_PATH + " has no 'id'");
    }
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "plugin id '" + id + "' must be 1 to 64 letters, digits, '-' or '_', starting with a letter or digit");
    }
    if (version.isEmpty()) {
      throw new IllegalArgumentException(PluginApi.DESCRIPTOR_PATH + " has no 'version'");
    }
    if (api.isEmpty()) {
      throw new IllegalArgumentException(PluginApi.DESCRIPTOR_PATH + " has no 'api'");
    }
    VersionRange range = VersionRange.parse(api);
    if (!range.contains(PluginApi.VERSION)) {
      throw new IllegalArgumentException(
          "plugin '" + id + "' needs plugin-api " + range + " but this host provides " + PluginApi.VERSION);
    }
    return this;
  }

  public String version() {
    return version;
  }

  private static List<Path> jars(Path directory) throws IOException {
    try (Stream<Path> list = Files.list(directory)) {
      return list.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList();
    }
  }

  private static Properties jarDescriptor(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      ZipEntry entry = zip.getEntry(PluginApi.DESCRIPTOR_PATH);
      if (entry == null) {
        return null;
      }
      Properties descriptor = new Properties();
      try (InputStream in = zip.getInputStream(entry)) {
        descriptor.load(in);
      }
      return descriptor;
    } catch (java.util.zip.ZipException e) {
      throw new IllegalArgumentException(jar + " is not a jar: " + e.getMessage());
    }
  }
}
