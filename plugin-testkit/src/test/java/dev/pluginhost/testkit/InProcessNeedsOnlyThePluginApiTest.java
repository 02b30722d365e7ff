package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.pluginhost.plugin.api.Plugin;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The in-process mode and the shared types run on a classpath of the plugin API and the kit alone:
 * no host, gRPC, protobuf, Guava or SLF4J. The scenario runs in a class loader that has only those
 * (and this test's classes, for the scenario itself), under the platform loader.
 */
class InProcessNeedsOnlyThePluginApiTest {

  @Test
  void anInProcessPlugin_startsAndServesWithOnlyThePluginApiAndTheKit() throws Exception {
    URL[] classpath = {
      location(Plugin.class), location(InProcessPlugin.class), location(InProcessNeedsOnlyThePluginApiTest.class)
    };
    try (URLClassLoader bare = new URLClassLoader("api-and-kit-only", classpath, ClassLoader.getPlatformClassLoader())) {
      assertThrows(ClassNotFoundException.class, () -> bare.loadClass("dev.pluginhost.host.PluginHost").getMethods());
      assertThrows(ClassNotFoundException.class, () -> bare.loadClass("com.google.common.base.Preconditions"));
      @SuppressWarnings("unchecked")
      Supplier<String> scenario =
          (Supplier<String>) bare.loadClass(InProcessOnlyScenario.class.getName()).getConstructor().newInstance();
      assertEquals("HI! | [a, b] | PIPE | denied kv | 1 record", scenario.get());
    }
  }

  private static URL location(Class<?> type) {
    return type.getProtectionDomain().getCodeSource().getLocation();
  }
}
