package dev.pluginhost.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.UnaryOperator;

/**
 * A host serving {@code hello} and the {@code hostile} test fixture, with settings that make
 * faults quick, and the checks every row of the hostile matrix makes.
 */
public final class HostileFixture implements AutoCloseable {
  public static final Duration CALL_TIME_LIMIT = Duration.ofSeconds(2);
  /** Longer than the call limit, so a hung call is the host's verdict, not the caller's. */
  public static final Duration CALL = Duration.ofSeconds(15);
  public static final Duration RESTART_WITHIN = Duration.ofSeconds(30);
  public static final int MAX_MESSAGE_BYTES = 1024 * 1024;

  private final RunningHost running;
  private final Path dataDirectory;

  private HostileFixture(RunningHost running, Path dataDirectory) {
    this.running = running;
    this.dataDirectory = dataDirectory;
  }

  /** Starts the host; {@code hostile} gets the quick-fault settings, then {@code extra}. */
  public static HostileFixture start(Path tempDir, UnaryOperator<PluginSettings.Builder> extra) throws IOException {
    RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("hostile", s -> extra.apply(quickFaults(s))),
            "hello", "hostile");
    return new HostileFixture(running, tempDir.resolve("work").resolve("data").resolve("hostile"));
  }

  /** Settings that make a hostile plugin's faults quick to notice and to recover from. */
  public static PluginSettings.Builder quickFaults(PluginSettings.Builder s) {
    return s.callTimeLimit(CALL_TIME_LIMIT)
        .probeInterval(Duration.ofMillis(200))
        .probeTimeout(Duration.ofSeconds(2))
        .maxHeapMegabytes(64)
        .maxMetaspaceMegabytes(48)
        .maxDirectMemoryMegabytes(32)
        .maxMessageBytes(MAX_MESSAGE_BYTES)
        .restartIntensity(1000, Duration.ofMinutes(1))
        .restartBackoff(Duration.ofMillis(50), Duration.ofMillis(500));
  }

  public RunningHost running() {
    return running;
  }

  public PluginHandle hello() {
    return running.plugin("hello");
  }

  public PluginHandle hostile() {
    return running.plugin("hostile");
  }

  /** The hostile plugin's data directory, where its start hook looks for marker files. */
  public Path hostileData() {
    return dataDirectory;
  }

  /** The pid of the hostile plugin's serving process; fails the test if it is not serving. */
  public long hostilePid() {
    return running.pidOf("hostile");
  }

  /** Starts steady calls to {@code hello} from a background thread. */
  public SteadyCalls steadyCalls() {
    return SteadyCalls.start(hello());
  }

  /** Waits until a process other than {@code deadPid} serves the hostile plugin, then pings it. */
  public void awaitRestarted(EventRecorder events, long deadPid) throws InterruptedException {
    PluginEvent back =
        events.await(e -> e.to() == PluginState.RUNNING && e.pid() > 0 && e.pid() != deadPid, RESTART_WITHIN);
    assertNotEquals(deadPid, back.pid());
    assertEquals("pong", hostile().callText("ping", "", CALL));
    assertEquals(back.pid(), hostilePid());
  }

  /** Asserts the hostile plugin still serves from {@code pid}, as if nothing happened. */
  public void assertStillServing(long pid) {
    assertEquals("pong", hostile().callText("ping", "", CALL));
    assertEquals(pid, hostilePid());
  }

  /** Waits for {@code call} (within {@link #CALL} and then some) and returns how it failed. */
  public static PluginCallException failure(Future<?> call) throws InterruptedException {
    try {
      Object result = call.get(CALL.toSeconds() + 10, TimeUnit.SECONDS);
      throw new AssertionError("the call succeeded: " + result);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof PluginCallException) {
        return (PluginCallException) e.getCause();
      }
      throw new AssertionError("the call failed with an untyped error", e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("the call did not end by its deadline", e);
    }
  }

  @Override
  public void close() {
    running.close();
  }
}
