package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** NON_BLOCKING functions run where the runner runs them: on the plugin's I/O thread, which must not wait. */
class InProcessNonBlockingTest {
  /** The runner's words, from its {@code HostConnection}. */
  private static final String REFUSAL =
      "host services wait for the host, and a function declared NON_BLOCKING must not wait: register it"
          + " without that option to use them";

  private final ToolboxPlugin toolbox = new ToolboxPlugin();
  private InProcessPlugin plugin;

  @BeforeEach
  void start() {
    plugin =
        InProcessPlugin.builder(toolbox)
            .id("toolbox")
            .grant("kv", "locks", "log", "call:squares", "service:billing")
            .otherPlugin("squares", context -> context.registerText("square", (call, n) -> n + "²"))
            .service("billing", (method, request) -> request)
            .start();
  }

  @AfterEach
  void close() {
    toolbox.releaseIo.countDown();
    plugin.close();
  }

  @Test
  void aNonBlockingFunction_usingAHostServiceThatWaits_failsWithTheRunnersIllegalState() {
    for (String service : List.of("kv", "locks", "call", "service")) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("nonBlockingUses", service));
      assertEquals(Code.UNKNOWN, e.code(), service);
      IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause(), service);
      assertEquals(REFUSAL, cause.getMessage());
    }
  }

  @Test
  void aNonBlockingFunction_mayLog_whichNeverWaits() {
    assertEquals("used log", plugin.callText("nonBlockingUses", "log"));
    assertEquals("from the I/O thread", plugin.logEntries().get(0).message());
  }

  @Test
  void aNonBlockingFunction_withoutTheGrant_isDeniedFirst_asTheRunnerChecksTheGrantFirst() {
    try (InProcessPlugin bare = InProcessPlugin.builder(new ToolboxPlugin()).id("bare").start()) {
      CallFailedException e = assertThrows(CallFailedException.class, () -> bare.callText("nonBlockingUses", "kv"));
      HostServiceException cause = assertInstanceOf(HostServiceException.class, e.getCause());
      assertEquals(Code.PERMISSION_DENIED, cause.code());
    }
  }

  @Test
  void aNonBlockingFunctionThatBlocks_failsByItsDeadline_andTheCallsQueuedBehindItToo() {
    CallFailedException blocked =
        assertThrows(CallFailedException.class, () -> plugin.callText("blockIo", "", Duration.ofMillis(200)));
    assertEquals(Code.DEADLINE_EXCEEDED, blocked.code());
    CallFailedException queued =
        assertThrows(CallFailedException.class, () -> plugin.callText("inlineThread", "", Duration.ofMillis(100)));
    assertEquals(Code.DEADLINE_EXCEEDED, queued.code());
    List<MapOutcome> map = plugin.map("inlineThread", List.of(new byte[0], new byte[0]), Duration.ofMillis(100));
    map.forEach(outcome -> assertEquals(Code.DEADLINE_EXCEEDED, outcome.error().orElseThrow().code()));

    toolbox.releaseIo.countDown();
    assertEquals("testkit-toolbox-io", plugin.callText("inlineThread", ""), "the I/O thread serves again");
  }

  @Test
  void aMapOfANonBlockingFunction_runsSmallChunksOnTheIoThread_andLargeOnesOnCallThreads() {
    assertEquals(Set.of("testkit-toolbox-io"), threadsOf(plugin.mapText("inlineThread", Collections.nCopies(64, ""))));
    Set<String> large = threadsOf(plugin.mapText("inlineThread", Collections.nCopies(300, "")));
    assertTrue(large.stream().allMatch(name -> name.startsWith("testkit-toolbox-call-")), large.toString());
  }

  @Test
  void function_stillRunsANonBlockingFunctionOnTheTestsThread() throws Exception {
    byte[] name = plugin.function("inlineThread").apply(null, new byte[0]);
    assertEquals(Thread.currentThread().getName(), new String(name, StandardCharsets.UTF_8));
  }

  private static Set<String> threadsOf(List<MapOutcome> outcomes) {
    return outcomes.stream().map(MapOutcome::text).collect(Collectors.toSet());
  }
}
