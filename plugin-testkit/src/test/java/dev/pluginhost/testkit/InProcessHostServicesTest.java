package dev.pluginhost.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.CallResult;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Locks.HeldLock;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.PluginContext;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Each host service as an in-process plugin sees it: through its context, on the test's thread. */
class InProcessHostServicesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final List<InProcessPlugin> started = new ArrayList<>();

  @AfterEach
  void closeStarted() {
    started.forEach(InProcessPlugin::close);
  }

  private static void assertDenied(String grant, Executable use) {
    HostServiceException e = assertThrows(HostServiceException.class, use);
    assertEquals(Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of(grant), e.missingGrant());
    assertEquals(
        "PERMISSION_DENIED: plugin bare was not granted \"" + grant + "\" (add it to the plugin's grants in its settings)",
        e.getMessage());
  }

  @Test
  void everyHostService_withoutItsGrant_isDeniedNamingTheGrant() {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin bare =
        InProcessPlugin.builder(kept::set)
            .id("bare")
            .otherPlugin("squares", context -> context.registerText("square", (call, n) -> n))
            .service("billing", (method, request) -> request)
            .start()) {
      PluginContext context = kept.get();
      assertDenied("log", () -> context.log().info("hello"));
      assertDenied("kv", () -> context.store().get("k"));
      assertDenied("kv", () -> context.store().put("k", new byte[1]));
      assertDenied("kv", () -> context.store().keys(""));
      assertDenied("locks", () -> context.locks().acquire("l", TIMEOUT));
      assertDenied("locks", () -> context.locks().tryAcquire("l"));
      assertDenied("call:squares", () -> context.plugins().callText("squares", "square", "3", TIMEOUT));
      assertDenied("call:squares", () -> context.plugins().map("squares", "square", List.of(), TIMEOUT));
      assertDenied("service:billing", () -> context.service("billing").callText("charge", "1", TIMEOUT));
      assertEquals(List.of(), bare.logEntries());
    }
  }

  @Test
  void aMissingGrant_failsTheCallThatUsedIt_asPermissionDenied() {
    try (InProcessPlugin toolbox = InProcessPlugin.builder(new ToolboxPlugin()).id("toolbox").start()) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> toolbox.callText("remember", "x"));
      assertEquals(Code.UNKNOWN, e.code());
      assertEquals(Optional.of(HostServiceException.class.getName()), e.remoteExceptionClass());
      assertTrue(e.getMessage().contains("PERMISSION_DENIED: plugin toolbox was not granted \"kv\""), e.getMessage());
    }
  }

  @Test
  void store_keepsWhatThePluginPuts_andTheTestSeedsAndReadsIt() {
    try (InProcessPlugin toolbox =
        InProcessPlugin.builder(new ToolboxPlugin()).grant("kv").storeText("seeded", "by the test").start()) {
      assertEquals("by the test", toolbox.callText("recall", "seeded"));
      assertEquals("ok", toolbox.callText("remember", "Ann"));
      assertEquals(Optional.of("Ann"), toolbox.store().getText("last"));
      toolbox.store().putText("last", "changed by the test");
      assertEquals("changed by the test", toolbox.callText("recall", "last"));
    }
  }

  @Test
  void store_keysAreSortedByPrefix_andCompareAndSetFollowsTheContract() {
    KeyValueStore store = storeOf(InProcessPlugin.builder(new ToolboxPlugin()).grant("kv"));
    store.putText("b/2", "x");
    store.putText("a", "x");
    store.putText("b/1", "x");
    store.putText("c", "x");
    assertEquals(List.of("a", "b/1", "b/2", "c"), store.keys(""));
    assertEquals(List.of("b/1", "b/2"), store.keys("b/"));

    assertTrue(store.compareAndSet("new", null, "1".getBytes(UTF_8)), "null expected: only if absent");
    assertFalse(store.compareAndSet("new", null, "2".getBytes(UTF_8)));
    assertFalse(store.compareAndSet("new", "9".getBytes(UTF_8), "2".getBytes(UTF_8)));
    assertTrue(store.compareAndSet("new", "1".getBytes(UTF_8), "2".getBytes(UTF_8)));
    assertTrue(store.compareAndSet("new", "2".getBytes(UTF_8), null), "null value deletes");
    assertEquals(Optional.empty(), store.get("new"));
    assertTrue(store.delete("a"));
    assertFalse(store.delete("a"));
  }

  @Test
  void store_refusesKeysOutsideTheLimitsWithInvalidArgument_andValuesOverItWithResourceExhausted() {
    KeyValueStore store = storeOf(InProcessPlugin.builder(new ToolboxPlugin()).grant("kv"));
    HostServiceException empty = assertThrows(HostServiceException.class, () -> store.putText("", "x"));
    assertEquals(Code.INVALID_ARGUMENT, empty.code());
    assertEquals("INVALID_ARGUMENT: a key is 1 to 256 bytes of UTF-8; this one is 0", empty.getMessage());
    store.putText("é".repeat(128), "x");
    assertEquals(Code.INVALID_ARGUMENT, assertThrows(HostServiceException.class, () -> store.putText("é".repeat(128) + "a", "x")).code());
    store.put("big", new byte[64 * 1024]);
    HostServiceException tooBig = assertThrows(HostServiceException.class, () -> store.put("bigger", new byte[64 * 1024 + 1]));
    assertEquals("RESOURCE_EXHAUSTED: a value is at most 65536 bytes; this one is 65537", tooBig.getMessage());
    assertEquals(Optional.empty(), store.get("bigger"));
  }

  @Test
  void store_overOneMebibyteInAll_refusesTheWriteWithResourceExhaustedAndChangesNothing() {
    KeyValueStore store = storeOf(InProcessPlugin.builder(new ToolboxPlugin()).id("full").grant("kv"));
    byte[] value = new byte[64 * 1024 - 2 - 64];
    for (int i = 0; i < 16; i++) {
      store.put("k" + Integer.toHexString(i), value); // 2 + 65470 + 64 bytes each: exactly 1 MiB in all
    }
    HostServiceException e = assertThrows(HostServiceException.class, () -> store.put("one", new byte[1]));
    assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
    assertEquals(
        "RESOURCE_EXHAUSTED: plugin full's store would hold 1048644 bytes, over its limit of 1048576 (keys, values"
            + " and 64 bytes an entry); delete keys first",
        e.getMessage());
    assertEquals(16, store.keys("").size());
    assertEquals(Code.RESOURCE_EXHAUSTED,
        assertThrows(HostServiceException.class, () -> store.compareAndSet("k0", value, new byte[value.length + 1])).code());
    assertArrayEquals(value, store.get("k0").orElseThrow());
  }

  @Test
  void locks_areHeldOneAtATime_notReentrant_andTimeOutWithDeadlineExceeded() throws Exception {
    PluginContext context = contextOf(InProcessPlugin.builder(new ToolboxPlugin()).grant("locks"));
    try (HeldLock held = context.locks().acquire("ledger", TIMEOUT)) {
      assertEquals("ledger", held.name());
      HostServiceException e =
          assertThrows(HostServiceException.class, () -> context.locks().acquire("ledger", Duration.ofMillis(50)));
      assertEquals(Code.DEADLINE_EXCEEDED, e.code());
      assertEquals("DEADLINE_EXCEEDED: lock 'ledger' was not free within 50 ms", e.getMessage());
      assertEquals(Optional.empty(), context.locks().tryAcquire("ledger"));
      try (HeldLock other = context.locks().tryAcquire("other").orElseThrow()) {
        assertEquals("other", other.name());
      }
    }
    HeldLock again = context.locks().tryAcquire("ledger").orElseThrow();
    again.close();
    again.close();
    context.locks().acquire("ledger", TIMEOUT).close();
    assertEquals(Code.INVALID_ARGUMENT,
        assertThrows(HostServiceException.class, () -> context.locks().tryAcquire("")).code());
  }

  @Test
  void log_recordsAreKeptForTheTest() {
    try (InProcessPlugin toolbox = InProcessPlugin.builder(new ToolboxPlugin()).grant("log").start()) {
      assertEquals("ok", toolbox.callText("log", "Ann"));
      LogEntry entry = toolbox.logEntries().get(0);
      assertEquals(Level.INFO, entry.level());
      assertEquals("called", entry.message());
      assertEquals(Map.of("input", "Ann"), entry.fields());
    }
  }

  @Test
  void log_keepsARecordAsTheHostsLogReceivesIt() {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin plugin = InProcessPlugin.builder(kept::set).grant("log").start()) {
      Map<String, String> fields = new java.util.LinkedHashMap<>();
      fields.put("pid", "1");
      fields.put("plugin", "someone-else");
      fields.put("version", "9");
      fields.put("bad name", "x");
      fields.put("", "x");
      fields.put("line", "one\ntwo\u0007");
      fields.put("long", "v".repeat(1030));
      for (int i = 0; i < 40; i++) {
        fields.put(String.format("f%02d", i), Integer.toString(i));
      }
      kept.get().log().warn("forged\nINFO all is well" + "m".repeat(8200), fields);

      LogEntry entry = plugin.logEntries().get(0);
      assertEquals(Level.WARNING, entry.level());
      assertTrue(entry.message().startsWith("forged\\nINFO all is well"), "a record cannot pass for two lines");
      assertTrue(entry.message().endsWith("m ...[32 more chars cut]"), entry.message().substring(8150));
      assertEquals(8192 + " ...[32 more chars cut]".length(), entry.message().length());
      assertEquals(32, entry.fields().size(), "the first 32 fields the host keeps");
      assertEquals("one\\ntwo\\u0007", entry.fields().get("line"));
      assertEquals("v".repeat(1024) + " ...[6 more chars cut]", entry.fields().get("long"));
      assertEquals("29", entry.fields().get("f29"));
      assertFalse(entry.fields().containsKey("f30"));
      for (String dropped : List.of("pid", "plugin", "version", "bad name", "")) {
        assertFalse(entry.fields().containsKey(dropped), dropped);
      }
    }
  }

  @Test
  void plugins_reachTheTestsOtherPlugins_withTheirCodesAndDescriptions() throws Exception {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin upper = InProcessPlugin.builder(new ToolboxPlugin()).id("upper").start();
        InProcessPlugin caller =
            InProcessPlugin.builder(kept::set)
                .id("caller")
                .grant("call:*")
                .otherPlugin("squares", context -> context.registerText("square", (call, n) -> {
                  long value = Long.parseLong(n);
                  return Long.toString(value * value);
                }))
                .otherPlugin(upper)
                .start()) {
      assertEquals("caller", caller.id());
      PluginCalls calls = new PluginCalls(kept.get());
      assertEquals("49", calls.text("squares", "square", "7"));
      assertEquals("ABC", calls.text("upper", "upper", "abc"));

      HostServiceException failed = assertThrows(HostServiceException.class, () -> calls.text("squares", "square", "seven"));
      assertEquals(Code.INVALID_ARGUMENT, failed.code(), "NumberFormatException is an IllegalArgumentException");
      assertTrue(failed.getMessage().contains("plugin squares (in-process): function 'square' threw java.lang.NumberFormatException"),
          failed.getMessage());
      assertEquals(Code.UNIMPLEMENTED, assertThrows(HostServiceException.class, () -> calls.text("squares", "cube", "2")).code());
      assertEquals("INVALID_ARGUMENT: not a valid plugin name ([A-Za-z0-9_.-]{1,64})",
          assertThrows(HostServiceException.class, () -> calls.text("no body", "x", "")).getMessage());
      HostServiceException unknown = assertThrows(HostServiceException.class, () -> calls.text("nobody", "x", ""));
      assertEquals("NOT_FOUND: no plugin 'nobody' on this host; it has: caller, squares, upper", unknown.getMessage());
      assertEquals("caller", calls.text("upper", "metadata", PluginApi.CALLER_METADATA), "the callee hears who called");

      List<CallResult> results =
          kept.get().plugins().map("squares", "square", List.of("2".getBytes(UTF_8), "x".getBytes(UTF_8)), TIMEOUT);
      assertEquals("4", results.get(0).text());
      assertEquals(Code.INVALID_ARGUMENT, results.get(1).error().orElseThrow().code());
    }
  }

  @Test
  void plugins_letAPluginCallItself_withItsOwnGrant_asTheCaller() throws Exception {
    try (InProcessPlugin toolbox = InProcessPlugin.builder(new ToolboxPlugin()).id("toolbox").grant("call:toolbox").start()) {
      assertEquals("toolbox", toolbox.callText("callMyself", ""));
      List<CallResult> results =
          ((ToolboxPlugin) toolbox.plugin()).context.plugins().map(
              "toolbox", "metadata", List.of(PluginApi.CALLER_METADATA.getBytes(UTF_8)), TIMEOUT);
      assertEquals("toolbox", results.get(0).text());
    }
    try (InProcessPlugin ungranted = InProcessPlugin.builder(new ToolboxPlugin()).id("toolbox").start()) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> ungranted.callText("callMyself", ""));
      assertTrue(e.getMessage().contains("was not granted \"call:toolbox\""), e.getMessage());
    }
  }

  @Test
  void anotherPluginWithThePluginsOwnId_failsTheStart() {
    PluginStartException e = assertThrows(PluginStartException.class,
        () -> InProcessPlugin.builder(new ToolboxPlugin()).id("toolbox").otherPlugin("toolbox", context -> {}).start());
    assertTrue(e.getMessage().startsWith("another plugin was given this plugin's own id 'toolbox'"), e.getMessage());
  }

  @Test
  void service_reachesTheTestsHandler_withTheHostsAnswersForItsFailures() throws Exception {
    AtomicReference<PluginContext> kept = new AtomicReference<>();
    try (InProcessPlugin plugin =
        InProcessPlugin.builder(kept::set)
            .grant("service:billing", "service:absent")
            .service("billing", (method, request) -> switch (method) {
              case "charge" -> ("charged " + new String(request, UTF_8)).getBytes(UTF_8);
              case "refuse" -> throw new HostServiceException(Code.FAILED_PRECONDITION, "account closed");
              case "reject" -> throw new IllegalArgumentException("no such amount");
              default -> throw new IllegalStateException("a bug in the application");
            })
            .start()) {
      assertEquals(Set.of("service:billing", "service:absent"), plugin.grants());
      PluginContext context = kept.get();
      assertEquals("charged 5", context.service("billing").callText("charge", "5", TIMEOUT));
      assertEquals("FAILED_PRECONDITION: account closed",
          assertThrows(HostServiceException.class, () -> context.service("billing").callText("refuse", "", TIMEOUT)).getMessage());
      HostServiceException rejected =
          assertThrows(HostServiceException.class, () -> context.service("billing").callText("reject", "", TIMEOUT));
      assertEquals(Code.INTERNAL, rejected.code(), "only a HostServiceException's words reach the plugin");
      assertFalse(rejected.getMessage().contains("no such amount"), rejected.getMessage());
      assertEquals("INTERNAL: service 'billing' failed on method 'crash' (the host's log has why)",
          assertThrows(HostServiceException.class, () -> context.service("billing").callText("crash", "", TIMEOUT)).getMessage());
      assertEquals("NOT_FOUND: the application registered no service 'absent' with this host",
          assertThrows(HostServiceException.class, () -> context.service("absent").callText("x", "", TIMEOUT)).getMessage());
      assertEquals("INVALID_ARGUMENT: not a valid method name ([\\x21-\\x7e]{1,128})",
          assertThrows(HostServiceException.class, () -> context.service("billing").callText("a method", "", TIMEOUT)).getMessage());
      assertEquals(Code.INVALID_ARGUMENT,
          assertThrows(HostServiceException.class, () -> context.service("absent").callText("", "", TIMEOUT)).code(),
          "the method is checked before the service is looked up");
    }
  }

  @Test
  void aFunctionUsingHostServices_worksWithItsGrants() {
    try (InProcessPlugin toolbox =
        InProcessPlugin.builder(new ToolboxPlugin())
            .grant("service:billing", "call:squares")
            .service("billing", (method, request) -> ("paid " + new String(request, UTF_8)).getBytes(UTF_8))
            .otherPlugin("squares", context -> context.registerText("square", (call, n) -> n + "²"))
            .start()) {
      assertEquals("paid 12", toolbox.callText("charge", "12"));
      assertEquals("3²", toolbox.callText("squareElsewhere", "3"));
    }
  }

  /** {@code context.plugins()} with text and the test's timeout. */
  private static final class PluginCalls {
    private final PluginContext context;

    PluginCalls(PluginContext context) {
      this.context = context;
    }

    String text(String plugin, String function, String input) throws InterruptedException {
      return context.plugins().callText(plugin, function, input, TIMEOUT);
    }
  }

  /** Starts a toolbox plugin, closed after the test, and returns its context. */
  private PluginContext contextOf(InProcessPlugin.Builder builder) {
    InProcessPlugin plugin = builder.start();
    started.add(plugin);
    return ((ToolboxPlugin) plugin.plugin()).context;
  }

  private KeyValueStore storeOf(InProcessPlugin.Builder builder) {
    return contextOf(builder).store();
  }
}
