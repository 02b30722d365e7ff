package dev.pluginhost.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InProcessCallsTest {
  private final ToolboxPlugin toolbox = new ToolboxPlugin();
  private InProcessPlugin plugin;

  @BeforeEach
  void start() {
    plugin = InProcessPlugin.builder(toolbox).id("toolbox").config("suffix", "!").start();
  }

  @AfterEach
  void close() {
    toolbox.releaseStuck.countDown();
    plugin.close();
  }

  @Test
  void callText_ofATextFunction_answersInUtf8WithItsConfig() {
    assertEquals("GRÜSS GOTT, ÅSA ✓!", plugin.callText("upper", "grüß gott, åsa ✓"));
    assertEquals("2", plugin.callText("length", "✓✓"));
  }

  @Test
  void call_ofABytesFunction_getsACopyOfTheInputAndNullAnswersEmpty() {
    byte[] input = {1, 2, 3};
    byte[] answer = plugin.call("echo", input);
    assertArrayEquals(input, answer);
    answer[0] = 9;
    assertEquals(1, input[0]);
    assertArrayEquals(new byte[0], plugin.call("nothing", new byte[0]));
  }

  @Test
  void call_withATimeoutThatIsNotPositive_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> plugin.callText("upper", "a", Duration.ZERO));
  }

  @Test
  void map_carriesItsMetadataToEveryInput() {
    List<MapOutcome> outcomes =
        plugin.map("metadata", List.of("k".getBytes(UTF_8), "k".getBytes(UTF_8)), Duration.ofSeconds(10), Map.of("k", "v"));
    assertEquals(List.of("v", "v"), outcomes.stream().map(MapOutcome::text).toList());
  }

  @Test
  void call_seesItsFunctionNameMetadataAndDeadline() {
    assertEquals("function", plugin.callText("function", ""));
    assertEquals("abc-123", new String(
        plugin.call("metadata", "request-id".getBytes(UTF_8), Duration.ofSeconds(5), Map.of("request-id", "abc-123")), UTF_8));
    long remaining = Long.parseLong(plugin.callText("remainingMillis", "", Duration.ofSeconds(20)));
    assertTrue(remaining > 0 && remaining <= 20_000, "remaining " + remaining);
  }

  @Test
  void call_runsOnACallThreadWithThePluginsLoader_andANonBlockingFunctionOnThePluginsIoThread() {
    assertTrue(plugin.callText("thread", "").startsWith("testkit-toolbox-call-"));
    assertEquals("true", plugin.callText("contextLoaderIsMine", ""));
    assertEquals("testkit-toolbox-io", plugin.callText("inlineThread", ""));
  }

  @Test
  void call_ofAFunctionThatThrows_failsWithUnknownNamingTheExceptionWhichIsTheCause() {
    CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("fail", "on purpose"));
    assertEquals(Code.UNKNOWN, e.code());
    assertEquals(
        "UNKNOWN: plugin toolbox (in-process): function 'fail' threw java.lang.IllegalStateException: on purpose",
        e.getMessage());
    assertEquals(Optional.of("java.lang.IllegalStateException"), e.remoteExceptionClass());
    assertInstanceOf(IllegalStateException.class, e.getCause());
    assertEquals("toolbox", e.pluginId());
    assertEquals("fail", e.function());
  }

  @Test
  void call_ofAFunctionThatRejectsItsInput_failsWithInvalidArgument() {
    CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("reject", "x"));
    assertEquals(Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().endsWith("threw java.lang.IllegalArgumentException: cannot take 'x'"), e.getMessage());
  }

  @Test
  void call_ofAnUnknownOrStreamingFunction_failsWithUnimplementedListingTheFunctions() {
    CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("nope", ""));
    assertEquals(Code.UNIMPLEMENTED, e.code());
    assertTrue(e.getMessage().endsWith("no function 'nope'; this plugin has: " + String.join(", ", plugin.functions())), e.getMessage());
    assertEquals(Code.UNIMPLEMENTED, assertThrows(CallFailedException.class, () -> plugin.callText("shout", "")).code());
  }

  @Test
  void call_pastItsDeadline_failsWithDeadlineExceededAndTheFunctionSeesItCancelled() throws Exception {
    CallFailedException e =
        assertThrows(CallFailedException.class, () -> plugin.callText("waitForCancel", "", Duration.ofMillis(200)));
    assertEquals(Code.DEADLINE_EXCEEDED, e.code());
    assertEquals("DEADLINE_EXCEEDED: call to toolbox.waitForCancel (in-process) did not finish within its 200 ms deadline", e.getMessage());
    assertTrue(toolbox.cancelListenerRan.await(10, TimeUnit.SECONDS), "the function's onCancel listener ran");
    assertEquals(1, toolbox.cancelsSeen.get());
  }

  @Test
  void call_whoseThreadIsInterrupted_isCancelledAndKeepsTheInterrupt() throws Exception {
    Thread.currentThread().interrupt();
    try {
      CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("waitForCancel", ""));
      assertEquals(Code.CANCELLED, e.code());
      assertTrue(Thread.currentThread().isInterrupted());
    } finally {
      Thread.interrupted();
    }
    assertTrue(toolbox.cancelListenerRan.await(10, TimeUnit.SECONDS));
  }

  @Test
  void call_overTheMessageLimit_failsWithResourceExhausted() {
    try (InProcessPlugin small = InProcessPlugin.builder(new ToolboxPlugin()).maxMessageBytes(8).start()) {
      assertEquals("12345678", new String(small.call("echo", "12345678".getBytes(UTF_8)), UTF_8));
      CallFailedException e = assertThrows(CallFailedException.class, () -> small.call("echo", new byte[9]));
      assertEquals(Code.RESOURCE_EXHAUSTED, e.code());
      assertTrue(e.getMessage().contains("is 9 bytes, over the plugin's 8-byte message limit"), e.getMessage());
    }
  }

  @Test
  void map_answersEachInputInOrder_withOneInputsFailureItsOwn() {
    List<MapOutcome> outcomes = plugin.mapText("upper", List.of("a", "b", "c"));
    assertEquals(List.of("A!", "B!", "C!"), outcomes.stream().map(MapOutcome::text).toList());

    List<MapOutcome> mixed = plugin.mapText("reject", List.of("x"));
    assertFalse(mixed.get(0).succeeded());
    assertEquals(Code.INVALID_ARGUMENT, mixed.get(0).error().orElseThrow().code());
    assertThrows(CallFailedException.class, () -> mixed.get(0).value());
  }

  @Test
  void map_pastItsDeadline_failsTheInputsNotDoneWithDeadlineExceeded() {
    List<MapOutcome> outcomes = plugin.map("waitForCancel", List.of(new byte[0], new byte[0]), Duration.ofMillis(200));
    // The first input ends when it hears of the cancellation, after the deadline; the second never starts.
    assertEquals(2, outcomes.size());
    outcomes.forEach(outcome -> assertEquals(Code.DEADLINE_EXCEEDED, outcome.error().orElseThrow().code()));
  }

  @Test
  void map_runsItsFourChunksAtOnce_eachInputOfAChunkAfterTheOther() {
    java.util.concurrent.CountDownLatch meeting = new java.util.concurrent.CountDownLatch(4);
    java.util.Queue<String> order = new java.util.concurrent.ConcurrentLinkedQueue<>();
    try (InProcessPlugin meet =
        InProcessPlugin.builder(context -> context.registerText("meet", (call, input) -> {
              order.add(input);
              meeting.countDown();
              return meeting.await(10, TimeUnit.SECONDS) ? "met" : "alone";
            }))
            .start()) {
      // Eight inputs are four chunks of two: the first input of each chunk waits for the three others.
      List<MapOutcome> outcomes = meet.mapText("meet", List.of("0", "1", "2", "3", "4", "5", "6", "7"));
      assertEquals(java.util.Collections.nCopies(8, "met"), outcomes.stream().map(MapOutcome::text).toList());
      List<String> seen = List.copyOf(order);
      for (int chunk = 0; chunk < 4; chunk++) {
        assertTrue(seen.indexOf(Integer.toString(2 * chunk)) < seen.indexOf(Integer.toString(2 * chunk + 1)), seen.toString());
      }
    }
  }

  @Test
  void map_ofAnUnknownFunction_failsEveryInputWithUnimplemented() {
    List<MapOutcome> outcomes = plugin.mapText("nope", List.of("a", "b"));
    outcomes.forEach(outcome -> assertEquals(Code.UNIMPLEMENTED, outcome.error().orElseThrow().code()));
  }

  @Test
  void functions_listsEveryRegisteredNameSorted() {
    List<String> functions = plugin.functions();
    assertEquals(functions.stream().sorted().toList(), functions);
    assertTrue(functions.containsAll(List.of("upper", "echo", "shout", "flood")));
  }

  @Test
  void function_isTheRegisteredFunctionToCallDirectly() throws Exception {
    assertArrayEquals("AB!".getBytes(UTF_8), plugin.function("upper").apply(null, "ab".getBytes(UTF_8)));
    assertThrows(IllegalArgumentException.class, () -> plugin.function("shout"));
  }

  @Test
  void call_afterClose_failsWithFailedPrecondition() {
    plugin.close();
    CallFailedException e = assertThrows(CallFailedException.class, () -> plugin.callText("upper", "a"));
    assertEquals(Code.FAILED_PRECONDITION, e.code());
    assertEquals(Code.FAILED_PRECONDITION, plugin.mapText("upper", List.of("a")).get(0).error().orElseThrow().code());
    assertEquals(Code.FAILED_PRECONDITION, assertThrows(CallFailedException.class, () -> plugin.openPipe("shout")).code());
    assertEquals(1, toolbox.stops.get());
    plugin.close();
    assertEquals(1, toolbox.stops.get(), "closing twice stops once");
  }

  @Test
  void close_withACallThatWillNotEnd_cancelsItAndSaysSo() throws Exception {
    ToolboxPlugin hung = new ToolboxPlugin();
    InProcessPlugin stuck = InProcessPlugin.builder(hung).id("hung").shutdownGrace(Duration.ofMillis(200)).start();
    try {
      assertEquals(Code.DEADLINE_EXCEEDED,
          assertThrows(CallFailedException.class, () -> stuck.callText("stuck", "", Duration.ofMillis(50))).code());
      IllegalStateException e = assertThrows(IllegalStateException.class, stuck::close);
      assertTrue(e.getMessage().contains("calls to [stuck] were still running after the 200 ms shutdown grace"), e.getMessage());
    } finally {
      hung.releaseStuck.countDown();
    }
  }

  @Test
  void differentPlugins_runOnThreadsOfTheirOwn() {
    try (InProcessPlugin other = InProcessPlugin.builder(new ToolboxPlugin()).id("other").start()) {
      assertNotEquals(plugin.callText("thread", ""), other.callText("thread", ""));
    }
  }
}
