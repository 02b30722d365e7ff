package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

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
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, unused::get);
    assertTrue(e.getMessage().contains("there is none now"), e.getMessage());
  }
}
