package dev.pluginhost.plugin.api;

/** Facts about this version of the plugin API. */
public final class PluginApi {
  /**
   * The version of this API, as {@code major.minor}. A plugin's descriptor names the interval of
   * versions it works with ({@code api=[1.0,2.0)}); the host refuses to load a plugin whose
   * interval does not contain this version. Minor versions only add, and keep every method a
   * plugin built against an earlier minor version calls; a major version may break.
   *
   * <p>1.1 added {@link FunctionOption} and the register methods that take it; 1.2 added {@link
   * FunctionOption#NON_BLOCKING}; 1.3 added the host services ({@link PluginContext#grants()} and
   * what follows it) and {@link PluginContext#requireConfig}.
   */
  public static final String VERSION = "1.3";

  /**
   * The key of {@link CallContext#metadata()} under which a function called by another plugin
   * (through {@link PluginCalls}) finds the caller's plugin id, put there by the host.
   */
  public static final String CALLER_METADATA = "pluginhost-caller";

  /** The descriptor every plugin jar carries. */
  public static final String DESCRIPTOR_PATH = "META-INF/plugin.properties";

  private PluginApi() {}
}
