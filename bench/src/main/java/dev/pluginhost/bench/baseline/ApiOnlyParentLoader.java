package dev.pluginhost.bench.baseline;

/**
 * The parent of an in-process plugin's class loader: the plugin API from the bench's own loader,
 * everything else from the platform. So the plugin sees what the runner gives it, and none of the
 * bench's libraries. Thread-safe.
 */
final class ApiOnlyParentLoader extends ClassLoader {
  static final String API_PACKAGE_PREFIX = "dev.pluginhost.plugin.api.";

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader apiLoader;

  ApiOnlyParentLoader(ClassLoader apiLoader) {
    super("pluginhost-api", ClassLoader.getPlatformClassLoader());
    this.apiLoader = apiLoader;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith(API_PACKAGE_PREFIX)) {
      return apiLoader.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }
}
