package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.PluginContext;
import dev.pluginhost.testkit.internal.ApiOnlyClassLoader;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InProcessLifecycleTest {

  @Test
  void register_keepsTheRunnersNameRules() {
    Plugin plugin =
        context -> {
          context.registerText("taken", (call, input) -> input);
          assertEquals("a function name must have 1 to 128 characters: ''",
              assertThrows(IllegalArgumentException.class, () -> context.registerText("", (call, input) -> input)).getMessage());
          context.registerText("x".repeat(128), (call, input) -> input);
          assertThrows(IllegalArgumentException.class, () -> context.registerText("x".repeat(129), (call, input) -> input));
          assertThrows(IllegalArgumentException.class, () -> context.registerText(null, (call, input) -> input));
          assertEquals("function 'taken' is already registered",
              assertThrows(IllegalArgumentException.class, () -> context.register("taken", (call, input) -> input)).getMessage());
          assertThrows(IllegalArgumentException.class, () -> context.registerStreaming("taken", (call, pipe) -> {}));
          assertEquals("function 'none' is null",
              assertThrows(IllegalArgumentException.class, () -> context.registerText("none", null)).getMessage());
          assertEquals("streaming function 'fast' cannot be NON_BLOCKING: it waits on its pipe",
              assertThrows(IllegalArgumentException.class,
                  () -> context.registerStreaming("fast", (call, pipe) -> {}, FunctionOption.NON_BLOCKING)).getMessage());
        };
    try (InProcessPlugin started = InProcessPlugin.builder(plugin).start()) {
      assertEquals(List.of("taken", "x".repeat(128)), started.functions());
    }
  }

  @Test
  void register_afterStartReturned_throwsIllegalState() {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin started = InProcessPlugin.builder(kept::set).start()) {
      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> kept.get().registerText("late", (call, input) -> input));
      assertEquals("functions can only be registered during Plugin.start", e.getMessage());
      assertEquals(List.of(), started.functions());
    }
  }

  @Test
  void start_whoseHookThrows_failsNamingTheExceptionWhichIsTheCause() {
    PluginStartException e =
        assertThrows(PluginStartException.class,
            () -> InProcessPlugin.builder(new ToolboxPlugin()).id("toolbox").config("failStart", "no model").start());
    assertEquals("plugin toolbox failed to start: start hook threw java.lang.IllegalStateException: asked to fail: no model", e.getMessage());
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  @Test
  void start_withoutARequiredSetting_failsWithRequireConfigsExplanation() {
    PluginStartException e =
        assertThrows(PluginStartException.class,
            () -> InProcessPlugin.builder(context -> context.requireConfig("model")).id("needy").start());
    assertTrue(e.getMessage().contains("plugin needy has no configuration value 'model'"), e.getMessage());
  }

  @Test
  void start_whoseHookOverrunsItsTimeout_fails() {
    CountDownLatch never = new CountDownLatch(1);
    try {
      PluginStartException e =
          assertThrows(PluginStartException.class,
              () -> InProcessPlugin.builder(context -> never.await(30, TimeUnit.SECONDS))
                  .id("slow")
                  .startTimeout(Duration.ofMillis(200))
                  .start());
      assertEquals("plugin slow failed to start: its start hook did not return within 200 ms", e.getMessage());
    } finally {
      never.countDown();
    }
  }

  @Test
  void start_givesThePluginItsIdVersionConfigGrantsAndDataDirectory(@TempDir Path data) {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin started =
        InProcessPlugin.builder(kept::set)
            .id("kept")
            .version("2.1")
            .config("a", "1")
            .grant("kv", "call:*")
            .dataDirectory(data)
            .start()) {
      PluginContext context = kept.get();
      assertEquals("kept", context.pluginId());
      assertEquals("2.1", context.pluginVersion());
      assertEquals("1", context.config().get("a"));
      assertThrows(UnsupportedOperationException.class, () -> context.config().put("b", "2"));
      assertEquals(Set.of("kv", "call:*"), context.grants());
      assertEquals(data, context.dataDirectory());
      assertEquals("kept", started.id());
      assertEquals("2.1", started.version());
    }
    assertTrue(Files.isDirectory(data), "a data directory the test gave is left in place");
  }

  @Test
  void start_withoutADescriptorBesideTheClass_usesTheDefaultIdAndATemporaryDataDirectory() {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    Path data;
    try (InProcessPlugin started = InProcessPlugin.builder(kept::set).start()) {
      assertEquals(InProcessPlugin.DEFAULT_ID, started.id());
      assertEquals(InProcessPlugin.DEFAULT_VERSION, started.version());
      data = started.dataDirectory();
      assertTrue(Files.isDirectory(data));
      assertEquals(Set.of(), kept.get().grants());
    }
    assertFalse(Files.exists(data), "the temporary data directory is deleted on close");
  }

  @Test
  void grant_ofANameThatIsNoGrant_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> InProcessPlugin.builder(new ToolboxPlugin()).grant("disk"));
    assertEquals(
        "unknown grant 'disk': a grant is one of log, kv, locks, network, call:PLUGIN-ID, call:*, service:NAME", e.getMessage());
  }

  @Test
  void builderOfAClass_createsItWithItsPublicConstructor() {
    try (InProcessPlugin started = InProcessPlugin.builder(ToolboxPlugin.class).start()) {
      assertEquals("ABC", started.callText("upper", "abc"));
      assertInstanceOf(ToolboxPlugin.class, started.plugin());
    }
    PluginStartException e = assertThrows(PluginStartException.class, () -> InProcessPlugin.builder(NoPublicConstructor.class).start());
    assertTrue(e.getMessage().contains("needs a public no-argument constructor"), e.getMessage());
  }

  @Test
  void builderOfAJar_loadsItAsTheRunnerDoes_isolatedButForThePluginApi() throws Exception {
    try (InProcessPlugin hello = InProcessPlugin.builder(Samples.helloJar()).config("greeting", "Howdy").start()) {
      assertEquals("hello", hello.id());
      assertEquals("Howdy, Ann!", hello.callText("greet", "Ann"));
      ClassLoader loader = hello.plugin().getClass().getClassLoader();
      assertEquals("plugin-hello", loader.getName());
      assertSame(Plugin.class, Class.forName(Plugin.class.getName(), false, loader));
      assertThrows(ClassNotFoundException.class, () -> Class.forName(InProcessPlugin.class.getName(), false, loader));
      assertNotSame(getClass().getClassLoader(), loader);
    }
  }

  @Test
  void builderOfAClassesDirectory_loadsItLikeItsJar() {
    try (InProcessPlugin hello = InProcessPlugin.builder(Samples.helloClasses()).start()) {
      assertEquals("hello", hello.id());
      assertEquals("Hello, Ann!", hello.callText("greet", "Ann"));
    }
  }

  @Test
  void builderOfAPathThatIsNoPlugin_failsToStartSayingWhy(@TempDir Path empty) {
    PluginStartException e = assertThrows(PluginStartException.class, () -> InProcessPlugin.builder(empty).start());
    assertTrue(e.getMessage().contains("is no plugin"), e.getMessage());
  }

  @Test
  void builderOfAPath_whoseDescriptorAHostWouldRefuse_failsToStartInTheHostsWords(@TempDir Path directory) throws Exception {
    Path classes = ToolboxClasses.writeTo(directory);
    Files.writeString(classes.resolve("META-INF/plugin.properties"), "id=toolbox\nversion=1.0.0\napi=[2.0,3.0)\n");
    PluginStartException e = assertThrows(PluginStartException.class, () -> InProcessPlugin.builder(classes).start());
    assertTrue(e.getMessage().endsWith(
        "cannot be loaded: plugin 'toolbox' needs plugin-api [2.0,3.0) but this host provides " + PluginApi.VERSION), e.getMessage());

    Files.writeString(classes.resolve("META-INF/plugin.properties"), "id=toolbox\napi=[1.0,2.0)\n");
    e = assertThrows(PluginStartException.class, () -> InProcessPlugin.builder(classes).start());
    assertTrue(e.getMessage().endsWith("cannot be loaded: META-INF/plugin.properties has no 'version'"), e.getMessage());
  }

  @Test
  void builderOfAClass_whoseDescriptorBesideItAHostWouldRefuse_failsToStartBeforeCreatingIt(@TempDir Path directory)
      throws Exception {
    Path classes = ToolboxClasses.writeTo(directory);
    Files.writeString(classes.resolve("META-INF/plugin.properties"), "id=bad id\nversion=1.0.0\napi=[1.0,2.0)\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {classes.toUri().toURL()}, new ApiOnlyClassLoader(Plugin.class.getClassLoader()))) {
      @SuppressWarnings("unchecked")
      Class<? extends Plugin> type = (Class<? extends Plugin>) loader.loadClass(ToolboxPlugin.class.getName());
      PluginStartException e = assertThrows(PluginStartException.class, () -> InProcessPlugin.builder(type).start());
      assertTrue(e.getMessage().startsWith("the descriptor beside dev.pluginhost.testkit.ToolboxPlugin (in " + classes), e.getMessage());
      assertTrue(e.getMessage().endsWith("is not one a host takes: plugin id 'bad id' must be 1 to 64 letters, digits, '-' or '_',"
          + " starting with a letter or digit"), e.getMessage());
    }
  }

  @Test
  void close_runsTheStopHookOnce_andReportsOneThatThrows() {
    ToolboxPlugin toolbox = new ToolboxPlugin();
    InProcessPlugin started = InProcessPlugin.builder(toolbox).id("toolbox").config("failStop", "yes").start();
    IllegalStateException e = assertThrows(IllegalStateException.class, started::close);
    assertTrue(e.getMessage().startsWith("plugin toolbox (in-process) did not stop cleanly: its stop hook threw"), e.getMessage());
    assertInstanceOf(IllegalStateException.class, e.getCause());
    started.close();
    assertEquals(1, toolbox.stops.get());
  }

  /** A plugin the kit cannot create: no public constructor. */
  public static final class NoPublicConstructor implements Plugin {
    private NoPublicConstructor() {}

    @Override
    public void start(PluginContext context) {}
  }
}
