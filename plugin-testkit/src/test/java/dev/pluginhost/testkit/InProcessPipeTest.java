package dev.pluginhost.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException.Code;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class InProcessPipeTest {
  private final ToolboxPlugin toolbox = new ToolboxPlugin();
  private InProcessPlugin plugin;

  @BeforeEach
  void start() {
    plugin = InProcessPlugin.builder(toolbox).id("toolbox").start();
  }

  @AfterEach
  void close() {
    plugin.close();
  }

  @Test
  void pipe_talksBothWays_andEndsWithNullOnceTheTestStopsSending() {
    try (CallerPipe pipe = plugin.openPipe("shout")) {
      pipe.sendText("isolated");
      assertEquals("ISOLATED", pipe.receiveText());
      pipe.sendText("supervised");
      pipe.closeSend();
      assertEquals("SUPERVISED", pipe.receiveText());
      assertNull(pipe.receiveText());
      assertNull(pipe.receiveText(), "the end stays the end");
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipe.sendText("more"));
      assertEquals("closeSend() was called; the pipe sends nothing more", e.getMessage());
    }
  }

  @Test
  void pipe_ofAFunctionThatThrows_deliversWhatItSentThenItsFailure() {
    try (CallerPipe pipe = plugin.openPipe("sendThenFail")) {
      assertEquals("first", pipe.receiveText());
      CallFailedException e = assertThrows(CallFailedException.class, pipe::receive);
      assertEquals(Code.UNKNOWN, e.code());
      assertTrue(e.getMessage().endsWith("java.lang.IllegalStateException: failed after the first message"), e.getMessage());
    }
  }

  @Test
  void pipe_cancelledByTheTest_throwsCallCancelledInThePlugin() throws Exception {
    CallerPipe pipe = plugin.openPipe("waitOnPipe");
    pipe.cancel();
    assertTrue(toolbox.pipeSawCancel.await(10, TimeUnit.SECONDS), "the plugin's receive() threw CallCancelledException");
    CallFailedException e = assertThrows(CallFailedException.class, pipe::receive);
    assertEquals(Code.CANCELLED, e.code());
    assertEquals("CANCELLED: the caller cancelled its pipe to toolbox.waitOnPipe", e.getMessage());
    pipe.close();
  }

  // Either side may notice the deadline first (the plugin's receive() by the clock, the test's by
  // its own wait, or the timer): each order ends the same way. Repeated, as one run rarely shows it.
  @RepeatedTest(20)
  void pipe_pastItsDeadline_failsOnBothSides() throws Exception {
    try (CallerPipe pipe = plugin.openPipe("waitOnPipe", Duration.ofMillis(20))) {
      CallFailedException e = assertThrows(CallFailedException.class, pipe::receive);
      assertEquals(Code.DEADLINE_EXCEEDED, e.code());
      assertTrue(toolbox.pipeSawCancel.await(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void pipe_holdsThePluginBackOnceTheTestIsAWindowBehind() throws Exception {
    try (CallerPipe pipe = plugin.openPipe("flood")) {
      pipe.sendText("10");
      assertTrue(toolbox.floodBeyondWindow.await(10, TimeUnit.SECONDS));
      // The plugin is about to send message 5 of 10, and cannot until the test reads one.
      assertEquals(ToolboxPlugin.WINDOW, toolbox.floodSent.get());
      for (int i = 0; i < 10; i++) {
        assertEquals(Integer.toString(i), pipe.receiveText());
      }
      assertNull(pipe.receiveText());
      assertEquals(10, toolbox.floodSent.get());
    }
  }

  @Test
  void pipe_toAFunctionThePluginLacks_failsWithUnimplemented() {
    try (CallerPipe pipe = plugin.openPipe("upper")) {
      assertEquals(Code.UNIMPLEMENTED, assertThrows(CallFailedException.class, pipe::receive).code());
    }
  }

  @Test
  void send_afterTheFunctionEnded_failsAsItEnded() {
    try (CallerPipe pipe = plugin.openPipe("flood")) {
      pipe.sendText("0");
      assertNull(pipe.receive());
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> pipe.sendText("late"));
      assertEquals("the plugin's function has already returned; the pipe is closed", e.getMessage());
    }
    try (CallerPipe pipe = plugin.openPipe("sendThenFail")) {
      assertEquals("first", pipe.receiveText());
      CallFailedException failure = assertThrows(CallFailedException.class, pipe::receive);
      assertEquals(failure, assertThrows(CallFailedException.class, () -> pipe.sendText("late")));
    }
  }
}
