package dev.pluginhost.plugin.api;

/** Facts about this version of the plugin API. */
public final class PluginApi {
  /**
   * The version of this API, as {@code major.minor}. A plugin's descriptor names the interval of
   * versions it works with ({@code api=[1.0,2.0)}); the host refuses to load a plugin whose
   * interval does not contain this version. Minor versions only add; a major version may break.
   */
  public static final String VERSION = "1.0";

  /** The descriptor every plugin jar carries. */
  public static final String DESCRIPTOR_PATH = "META-INF/plugin.properties";

  private PluginApi() {}
}
