package dev.pluginhost.testkit.internal;

/**
 * The parent of an in-process plugin's own class loader, as the runner's is: the JDK's platform
 * classes and the {@code dev.pluginhost.plugin.api} package of the kit's loader, nothing else of
 * the test's classpath. A plugin loaded from its jar under it fails in-process as it would in its
 * JVM when it needs a class it does not bundle.
 */
public final class ApiOnlyClassLoader extends ClassLoader {
  public static final String API_PACKAGE_PREFIX = "dev.pluginhost.plugin.api.";

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader apiLoader;

  public ApiOnlyClassLoader(ClassLoader apiLoader) {
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
