package dev.pluginhost.runner.internal;

/**
 * The parent of every plugin's class loader: it sees the JDK's platform classes and the
 * {@code dev.pluginhost.plugin.api} package, and nothing else of the runner (not its gRPC,
 * protobuf or Guava), so a plugin may bundle any version of those.
 */
final class ApiOnlyClassLoader extends ClassLoader {
  static final String API_PACKAGE_PREFIX = "dev.pluginhost.plugin.api.";

  static {
    registerAsParallelCapable();
  }

  private final ClassLoader runnerLoader;

  ApiOnlyClassLoader(ClassLoader runnerLoader) {
    super("pluginhost-api", ClassLoader.getPlatformClassLoader());
    this.runnerLoader = runnerLoader;
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (name.startsWith(API_PACKAGE_PREFIX)) {
      return runnerLoader.loadClass(name);
    }
    return super.loadClass(name, resolve);
  }
}
