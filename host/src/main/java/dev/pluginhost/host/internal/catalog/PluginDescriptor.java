package dev.pluginhost.host.internal.catalog;

import java.nio.file.Path;
import java.util.List;

/**
 * A plugin found on disk, its descriptor read and checked.
 *
 * @param id unique within a host
 * @param version as declared
 * @param apiRange the plugin-api versions it works with
 * @param description one line for people; may be empty
 * @param source the jar or folder it was found as
 * @param classpath the plugin's jar first, then its lib/ jars, all absolute
 */
public record PluginDescriptor(
    String id,
    String version,
    VersionRange apiRange,
    String description,
    Path source,
    List<Path> classpath) {

  public PluginDescriptor {
    classpath = List.copyOf(classpath);
  }
}
