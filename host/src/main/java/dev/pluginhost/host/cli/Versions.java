package dev.pluginhost.host.cli;

import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.proto.WireProtocol;
import picocli.CommandLine;

/** What {@code --version} prints. */
final class Versions implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    String version = Versions.class.getPackage().getImplementationVersion();
    return new String[] {
      "pluginhost " + (version == null ? "(development build)" : version),
      "plugin-api " + PluginApi.VERSION + ", host-runner protocol v" + WireProtocol.VERSION,
      "Java " + Runtime.version() + " (" + System.getProperty("java.vendor") + ")"
    };
  }
}
