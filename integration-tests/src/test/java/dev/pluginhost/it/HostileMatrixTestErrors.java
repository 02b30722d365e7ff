package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.SteadyCalls;
import io.grpc.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, rows where the plugin misbehaves but its JVM need not die: the call fails
 * with a typed error (or the attack achieves nothing), the same process serves on, and hello next
 * door misses nothing.
 */
class HostileMatrixTestErrors {
  @TempDir static Path tempDir;
  private static HostileFixture fixture;

  @BeforeAll
  static void start() throws IOException {
    fixture = HostileFixture.start(tempDir, s -> s);
  }

  @AfterAll
  static void stop() {
    if (fixture != null) {
      fixture.close();
    }
  }

  @Test
  void handlerThatThrows_failsThatCallWithUnknownAndTheExceptionClass_only() throws Exception {
    PluginCallException error = failWithoutDeath("throw", "");
    assertAll(
        () -> assertEquals(Status.Code.UNKNOWN, error.code()),
        () -> assertEquals(Optional.of("java.lang.IllegalStateException"), error.remoteExceptionClass()),
        () -> assertTrue(error.getMessage().contains("thrown on purpose"), error.getMessage()));
  }

  @Test
  void stackOverflow_failsThatCallWithUnknownAndStackOverflowError_notTheProcess() throws Exception {
    PluginCallException error = failWithoutDeath("overflowStack", "");
    assertAll(
        () -> assertEquals(Status.Code.UNKNOWN, error.code()),
        () -> assertEquals(Optional.of("java.lang.StackOverflowError"), error.remoteExceptionClass()));
  }

  @Test
  void responseLargerThanTheLimit_failsWithResourceExhausted_notTheProcess() throws Exception {
    PluginCallException error =
        failWithoutDeath("bigResponse", Integer.toString(2 * HostileFixture.MAX_MESSAGE_BYTES));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, error.code(), error.getMessage());
  }

  @Test
  void requestLargerThanTheLimit_failsAtOnceWithResourceExhausted() throws Exception {
    long began = System.nanoTime();
    PluginCallException error = failWithoutDeath("inputSize", "x".repeat(2 * HostileFixture.MAX_MESSAGE_BYTES));
    Duration took = Duration.ofNanos(System.nanoTime() - began);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, error.code(), error.getMessage());
    assertTrue(took.compareTo(Duration.ofSeconds(2)) < 0, "refused after " + took);
  }

  @Test
  void streamThatNeverEnds_endsAtItsDeadlineWithDeadlineExceeded_andTheProcessServesOn() throws Exception {
    long pid = fixture.hostilePid();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      int received = 0;
      PluginCallException error;
      try (PluginPipe pipe = fixture.hostile().openPipe("sendForever", Duration.ofSeconds(1))) {
        while (true) {
          try {
            if (pipe.receive() == null) {
              throw new AssertionError("the endless stream ended normally");
            }
            received++;
          } catch (PluginCallException e) {
            error = e;
            break;
          }
        }
      }
      assertEquals(Status.Code.DEADLINE_EXCEEDED, error.code(), error.getMessage());
      assertTrue(received > 0, "the plugin sent nothing");
      fixture.assertStillServing(pid);
      steady.assertNoneFailed();
    }
  }

  @Test
  void closingItsStdin_doesNotCutTheLifeline_andTheProcessServesOn() throws Exception {
    // Closing fd 0 leaves the runner's lifeline thread blocked in read() on the pipe it already
    // holds, so the plugin neither exits nor stops noticing its host's death.
    long pid = fixture.hostilePid();
    Optional<ProcessDeath> lastDeath = fixture.hostile().lastDeath();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      assertEquals("closed", fixture.hostile().callText("closeStdin", "", CALL));
      fixture.assertStillServing(pid);
      assertEquals(lastDeath, fixture.hostile().lastDeath());
      steady.assertNoneFailed();
    }
  }

  @Test
  void replacingSystemOutWithAStreamThatThrows_failsOnlyTheCallsThatPrint() throws Exception {
    long pid = fixture.hostilePid();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      assertEquals("replaced", fixture.hostile().callText("replaceSystemOut", "", CALL));
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText("print", "hello?", CALL));
      assertAll(
          () -> assertEquals(Status.Code.UNKNOWN, error.code()),
          () -> assertTrue(error.getMessage().contains("System.out is broken"), error.getMessage()),
          () -> assertEquals(Optional.empty(), error.death()));
      // The runner logs the failure to its own stderr, kept from before the plugin replaced it.
      fixture.assertStillServing(pid);
      steady.assertNoneFailed();
    }
  }

  @Test
  void garbageWithAForgedTokenSentToEveryPluginSocket_harmsNoPlugin() throws Exception {
    long pid = fixture.hostilePid();
    long helloPid = fixture.running().pidOf("hello");
    try (SteadyCalls steady = fixture.steadyCalls()) {
      String reached = fixture.hostile().callText("forgeToken", "", CALL);
      // At least its own runner's socket took the garbage; hello's too when no sandbox stops it.
      assertTrue(reached.endsWith("r.sock"), "the attack reached no socket: " + reached);
      fixture.assertStillServing(pid);
      assertEquals("steady", fixture.hello().callText("echo", "steady", CALL));
      assertEquals(helloPid, fixture.running().pidOf("hello"));
      steady.assertNoneFailed();
    }
  }

  /**
   * Calls {@code function} under steady calls to hello, and checks it fails with no death and
   * the same process serves on. Returns the failure.
   */
  private static PluginCallException failWithoutDeath(String function, String input) throws Exception {
    long pid = fixture.hostilePid();
    List<ProcessDeath> deathsBefore = fixture.hostile().deaths();
    try (SteadyCalls steady = fixture.steadyCalls()) {
      PluginCallException error =
          assertThrows(PluginCallException.class, () -> fixture.hostile().callText(function, input, CALL));
      assertAll(
          () -> assertEquals("hostile", error.pluginId()),
          () -> assertEquals(Optional.empty(), error.death(), error.getMessage()));
      fixture.assertStillServing(pid);
      assertEquals(deathsBefore, fixture.hostile().deaths());
      steady.assertNoneFailed();
      return error;
    }
  }
}
