package dev.pluginhost.host.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import dev.pluginhost.host.PluginSettings;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** docs/pluginhost.conf, the commented example, stays true: it parses, is complete, and its defaults are the real ones. */
class ExampleConfigTest {
  private static final Path EXAMPLE = Path.of("..", "docs", "pluginhost.conf");

  @Test
  void theExample_parses() {
    ServerConfig config = ServerConfig.load(EXAMPLE);
    assertEquals(2, config.plugins().get("hello").processes());
  }

  @Test
  void theExamplesDefaultsBlock_showsEverySetting() {
    Set<String> shown = new TreeSet<>(ConfigFactory.parseFile(EXAMPLE.toFile()).getConfig("defaults").root().keySet());
    Set<String> missing = new TreeSet<>(SettingsReader.knownKeys());
    missing.removeAll(shown);
    // `java` is shown commented out: its default is the server's own launcher.
    missing.remove("java");
    assertEquals(Set.of(), missing, "settings the example does not show");
  }

  @Test
  void theExamplesDefaultsBlock_holdsTheRealDefaults() throws Exception {
    PluginSettings documented = ServerConfig.load(EXAMPLE).defaults();
    PluginSettings real = PluginSettings.defaults();
    int compared = 0;
    for (Method getter : PluginSettings.class.getDeclaredMethods()) {
      if (!Modifier.isPublic(getter.getModifiers()) || Modifier.isStatic(getter.getModifiers())
          || getter.getParameterCount() > 0 || getter.getName().equals("toBuilder")
          // One per core: the example shows a 2-core machine's.
          || getter.getName().equals("processes")) {
        continue;
      }
      assertEquals(getter.invoke(real), getter.invoke(documented), "docs/pluginhost.conf shows a wrong default for " + getter.getName());
      compared++;
    }
    assertTrue(compared > 20, "compared only " + compared + " settings");
  }
}
