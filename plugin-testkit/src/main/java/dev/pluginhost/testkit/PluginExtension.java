package dev.pluginhost.testkit;

import java.util.Objects;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A JUnit 5 extension that starts a plugin under test before the tests and closes it after them,
 * whether they passed or not:
 *
 * <pre>{@code
 * @RegisterExtension
 * final PluginExtension<InProcessPlugin> hello =
 *     PluginExtension.of(() -> InProcessPlugin.builder(new HelloPlugin()).grant("kv").start());
 *
 * @Test
 * void greet_withAName_greetsThem() {
 *   assertEquals("Hello, Ann!", hello.get().callText("greet", "Ann"));
 * }
 * }</pre>
 *
 * <p>Registered on an instance field, it starts a fresh plugin for each test; on a static field,
 * one plugin for all the tests of the class (worth it for a {@link ChildJvmPlugin}, whose start is
 * a JVM's). A failure to start fails the test (or the class); so does a plugin that does not close
 * cleanly ({@link PluginUnderTest#close()} throws).
 *
 * <p>Needs {@code junit-jupiter-api}, which the kit declares optional: a test that uses this has it.
 *
 * @param <P> the kind of plugin, so the test reaches its own methods ({@link
 *     InProcessPlugin#logEntries()}, {@link ChildJvmPlugin#handle()})
 */
public final class PluginExtension<P extends PluginUnderTest>
    implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

  /** Starts a plugin; usually a builder's {@code start()}. */
  @FunctionalInterface
  public interface Starter<P extends PluginUnderTest> {
    P start() throws Exception;
  }

  private final Starter<P> starter;
  private volatile P plugin;
  private volatile boolean perClass;

  private PluginExtension(Starter<P> starter) {
    this.starter = starter;
  }

  /** An extension that starts its plugin with {@code starter}. */
  public static <P extends PluginUnderTest> PluginExtension<P> of(Starter<P> starter) {
    return new PluginExtension<>(Objects.requireNonNull(starter, "starter"));
  }

  /**
   * The plugin of the running test.
   *
   * @throws IllegalStateException outside a test (before it started, after it closed)
   */
  public P get() {
    P current = plugin;
    if (current == null) {
      throw new IllegalStateException("the plugin is started for each test (or class) and closed after it; there is none now");
    }
    return current;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    // Only an extension on a static field hears of beforeAll: it serves the whole class.
    perClass = true;
    plugin = starter.start();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (!perClass) {
      plugin = starter.start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass) {
      closeNow();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (perClass) {
      closeNow();
    }
  }

  private void closeNow() {
    P current = plugin;
    plugin = null;
    if (current != null) {
      current.close();
    }
  }
}
