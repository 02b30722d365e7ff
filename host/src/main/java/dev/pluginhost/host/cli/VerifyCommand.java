package dev.pluginhost.host.cli;

import dev.pluginhost.host.internal.catalog.PluginCatalog;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import dev.pluginhost.plugin.api.PluginApi;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.zip.ZipFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** An offline check of a plugin jar: what install would check, without a server. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
      "Checks a plugin jar (or plugin folder) offline, as install would: its descriptor, id, version,",
      "the plugin-api range it needs against this host's, and that it registers a Plugin class.",
      "Exit codes: 0 usable, 1 not usable (the reason is printed), 2 usage."
    })
final class VerifyCommand implements Callable<Integer> {
  private static final String SERVICE = "META-INF/services/" + dev.pluginhost.plugin.api.Plugin.class.getName();

  @Parameters(paramLabel = "JAR", description = "The plugin jar or folder.")
  Path jar;

  @Option(names = "--json", description = "Print JSON instead of text for people.")
  boolean json;

  @Override
  public Integer call() {
    PluginDescriptor descriptor;
    try {
      descriptor = PluginCatalog.describe(jar.toAbsolutePath());
      requireService(descriptor.classpath().get(0));
    } catch (IllegalArgumentException | IOException e) {
      if (json) {
        System.out.println("{\"ok\":false,\"problem\":" + ReportJson.quote(jar + ": " + e.getMessage()) + "}");
      } else {
        System.err.println("pluginhost verify: " + jar + ": " + e.getMessage());
      }
      return 1;
    }
    if (json) {
      System.out.println("{\"ok\":true,\"id\":" + ReportJson.quote(descriptor.id())
          + ",\"version\":" + ReportJson.quote(descriptor.version())
          + ",\"api\":" + ReportJson.quote(descriptor.apiRange().toString())
          + ",\"hostApi\":" + ReportJson.quote(PluginApi.VERSION)
          + ",\"description\":" + ReportJson.quote(descriptor.description()) + "}");
    } else {
      System.out.println(jar + ": OK");
      System.out.println("  id           " + descriptor.id());
      System.out.println("  version      " + descriptor.version());
      System.out.println("  plugin-api   needs " + descriptor.apiRange() + ", this host provides " + PluginApi.VERSION);
      if (!descriptor.description().isEmpty()) {
        System.out.println("  description  " + descriptor.description());
      }
      System.out.println("  classpath    " + descriptor.classpath().size() + " jar(s)");
    }
    return 0;
  }

  /** The plugin jar must name its Plugin class for the runner's ServiceLoader. */
  private static void requireService(Path pluginJar) throws IOException {
    try (ZipFile zip = new ZipFile(pluginJar.toFile())) {
      if (zip.getEntry(SERVICE) == null) {
        throw new IllegalArgumentException(
            "registers no plugin class: " + SERVICE + " is missing, so the runner could not load it");
      }
    }
  }
}
