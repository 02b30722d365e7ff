package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

class PluginExtensionTest {
  private static final AtomicReference<InProcessPlugin> firstPerClass = new AtomicReference<>();

  @RegisterExtension
  static final PluginExtension<InProcessPlugin> perClass =
      PluginExtension.of(() -> InProcessPlugin.builder(new ToolboxPlugin()).id("shared").start());

  @RegisterExtension
  final PluginExtension<InProcessPlugin> perTest =
      PluginExtension.of(() -> InProcessPlugin.builder(new ToolboxPlugin()).id("fresh").grant("kv").start());

  @RepeatedTest(2)
  void anInstanceField_startsAFreshPluginForEachTest() {
    InProcessPlugin plugin = perTest.get();
    assertEquals(Optional.empty(), plugin.store().getText("last"), "no earlier test wrote here");
    assertEquals("ok", plugin.callText("remember", "this test"));
  }

  @RepeatedTest(2)
  void aStaticField_startsOnePluginForTheClass() {
    firstPerClass.compareAndSet(null, perClass.get());
    assertSame(firstPerClass.get(), perClass.get());
    assertEquals("SHARED", perClass.get().callText("upper", "shared"));
  }

  @Test
  void get_outsideATest_saysThereIsNoPlugin() {
    PluginExtension<InProcessPlugin> unused = PluginExtension.of(() -> InProcessPlugin.builder(new ToolboxPlugin()).start());
    IllegalStateException e = assertThrows(IllegalStateException.class, unused::get);
    assertTrue(e.getMessage().contains("there is none now"), e.getMessage());
  }

  @Test
  void aStaticField_servesTheNestedClassesWithTheSamePlugin_andClosesItOnceAllAreDone() {
    StaticWithNested.started.clear();
    StaticWithNested.seen.clear();
    TestExecutionSummary summary = run(StaticWithNested.class);
    assertEquals(3, summary.getTestsSucceededCount(), failures(summary));
    assertEquals(1, StaticWithNested.started.size(), "one start for the class and its nested classes");
    StaticWithNested.seen.forEach(plugin -> assertSame(StaticWithNested.started.get(0), plugin));
    assertClosed(StaticWithNested.started);
  }

  @Test
  void anInstanceField_underPerClassLifecycle_stillStartsAFreshPluginForEachTest() {
    PerClassInstanceField.started.clear();
    PerClassInstanceField.seen.clear();
    TestExecutionSummary summary = run(PerClassInstanceField.class);
    assertEquals(2, summary.getTestsSucceededCount(), failures(summary));
    assertEquals(2, PerClassInstanceField.started.size(), "a start per test");
    assertEquals(PerClassInstanceField.started, PerClassInstanceField.seen);
    assertNotSame(PerClassInstanceField.seen.get(0), PerClassInstanceField.seen.get(1));
    assertClosed(PerClassInstanceField.started);
  }

  @Test
  void anInstanceField_servesEachNestedTestWithAFreshPlugin() {
    InstanceFieldWithNested.started.clear();
    InstanceFieldWithNested.seen.clear();
    TestExecutionSummary summary = run(InstanceFieldWithNested.class);
    assertEquals(2, summary.getTestsSucceededCount(), failures(summary));
    assertEquals(2, InstanceFieldWithNested.started.size(), "a start per test");
    assertEquals(InstanceFieldWithNested.started, InstanceFieldWithNested.seen);
    assertClosed(InstanceFieldWithNested.started);
  }

  @Test
  void aStaticField_underPerClassLifecycle_withNestedClasses_startsOnce() {
    PerClassStaticWithNested.started.clear();
    PerClassStaticWithNested.seen.clear();
    TestExecutionSummary summary = run(PerClassStaticWithNested.class);
    assertEquals(2, summary.getTestsSucceededCount(), failures(summary));
    assertEquals(1, PerClassStaticWithNested.started.size());
    assertClosed(PerClassStaticWithNested.started);
  }

  private static TestExecutionSummary run(Class<?> fixture) {
    Launcher launcher = LauncherFactory.create();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();
    launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture)).build(), listener);
    return listener.getSummary();
  }

  private static String failures(TestExecutionSummary summary) {
    StringBuilder text = new StringBuilder();
    summary.getFailures().forEach(failure -> text.append(failure.getTestIdentifier().getDisplayName())
        .append(": ").append(failure.getException()).append('\n'));
    return text.toString();
  }

  private static void assertClosed(List<InProcessPlugin> plugins) {
    for (InProcessPlugin plugin : plugins) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("upper", "x"), plugin + " was closed");
      assertEquals(Code.FAILED_PRECONDITION, e.code());
    }
  }

  private static InProcessPlugin startInto(List<InProcessPlugin> started) {
    InProcessPlugin plugin = InProcessPlugin.builder(new ToolboxPlugin()).start();
    started.add(plugin);
    return plugin;
  }

  // Fixtures: run by the tests above through a launcher, never by the build itself (it skips
  // nested classes, and JUnit finds only inner @Nested classes inside a selected test class).

  static class StaticWithNested {
    static final List<InProcessPlugin> started = new CopyOnWriteArrayList<>();
    static final List<InProcessPlugin> seen = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final PluginExtension<InProcessPlugin> shared = PluginExtension.of(() -> startInto(started));

    @Test
    void outer() {
      seen.add(shared.get());
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        seen.add(shared.get());
      }

      @Nested
      class Deeper {
        @Test
        void deeper() {
          seen.add(shared.get());
        }
      }
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class PerClassInstanceField {
    static final List<InProcessPlugin> started = new CopyOnWriteArrayList<>();
    static final List<InProcessPlugin> seen = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final PluginExtension<InProcessPlugin> fresh = PluginExtension.of(() -> startInto(started));

    @Test
    void one() {
      seen.add(fresh.get());
    }

    @Test
    void two() {
      seen.add(fresh.get());
    }
  }

  static class InstanceFieldWithNested {
    static final List<InProcessPlugin> started = new CopyOnWriteArrayList<>();
    static final List<InProcessPlugin> seen = new CopyOnWriteArrayList<>();

    @RegisterExtension
    final PluginExtension<InProcessPlugin> fresh = PluginExtension.of(() -> startInto(started));

    @Test
    void outer() {
      seen.add(fresh.get());
    }

    @Nested
    class Inner {
      @Test
      void inner() {
        seen.add(fresh.get());
      }
    }
  }

  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  static class PerClassStaticWithNested {
    static final List<InProcessPlugin> started = new CopyOnWriteArrayList<>();
    static final List<InProcessPlugin> seen = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final PluginExtension<InProcessPlugin> shared = PluginExtension.of(() -> startInto(started));

    @Test
    void outer() {
      seen.add(shared.get());
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Inner {
      @Test
      void inner() {
        seen.add(shared.get());
      }
    }
  }
}
