package dev.pluginhost.testkit;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstances;

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
 * <p>Registered on an instance field, it starts a fresh plugin for each test, also under {@code
 * @TestInstance(PER_CLASS)} (where JUnit hands an instance field's extension the class's callbacks
 * too, which it ignores). On a static field, one plugin for all the tests of the class, its
 * {@code @Nested} classes included (worth it for a {@link ChildJvmPlugin}, whose start is a JVM's):
 * started before the class's first test, closed after the class and all its nested classes are
 * done. A failure to start fails the test (or the class); so does a plugin that does not close
 * cleanly ({@link PluginUnderTest#close()} throws).
 *
 * <p>Tests of one class running in parallel share a static field's plugin, which is thread-safe;
 * an instance field's extension serves one test at a time, so under {@code PER_CLASS} its tests
 * must not run in parallel.
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
  /** The class contexts (by unique id) now served by the one plugin: a class and its nested ones. */
  private final Set<String> classes = new HashSet<>();

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
    if (onInstanceField(context)) {
      return;
    }
    // A static field's extension hears beforeAll once for its class, and once more for each
    // nested class inside it: only the outermost starts the plugin.
    boolean first;
    synchronized (this) {
      first = classes.isEmpty();
      classes.add(context.getUniqueId());
    }
    if (first) {
      plugin = starter.start();
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    if (!perClass()) {
      plugin = starter.start();
    }
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (!perClass()) {
      closeNow();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) {
    boolean last;
    synchronized (this) {
      last = classes.remove(context.getUniqueId()) && classes.isEmpty();
    }
    if (last) {
      closeNow();
    }
  }

  private synchronized boolean perClass() {
    return !classes.isEmpty();
  }

  /**
   * Whether this extension is the value of an instance field of the running test instances: under
   * {@code PER_CLASS}, JUnit calls such an extension's beforeAll too. Without a test instance at
   * beforeAll (the default lifecycle), only a static field's extension hears it.
   */
  private boolean onInstanceField(ExtensionContext context) {
    List<Object> instances = context.getTestInstances().map(TestInstances::getAllInstances).orElse(List.of());
    for (Object instance : instances) {
      for (Class<?> type = instance.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
        for (Field field : type.getDeclaredFields()) {
          if (!Modifier.isStatic(field.getModifiers())
              && field.getType().isAssignableFrom(PluginExtension.class)
              && field.trySetAccessible()) {
            try {
              if (field.get(instance) == this) {
                return true;
              }
            } catch (IllegalAccessException unreadable) {
              // Not this extension's field, as far as anyone can tell.
            }
          }
        }
      }
    }
    return false;
  }

  private void closeNow() {
    P current = plugin;
    plugin = null;
    if (current != null) {
      current.close();
    }
  }
}
