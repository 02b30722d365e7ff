package dev.pluginhost.host.internal.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginMetrics;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class CallRecorderTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000_000L);
  private final CallRecorder recorder = new CallRecorder(now::get);

  private void advance(Duration duration) {
    now.addAndGet(duration.toNanos());
  }

  /** One call that takes {@code latency}, finishing now + latency. */
  private void call(Duration latency) {
    long start = recorder.start();
    advance(latency);
    recorder.finish(start, Status.Code.OK);
  }

  @Test
  void recentWindow_dropsCallsOnceTheyAreOlderThanTheWindowAndItsSlack() {
    call(Duration.ofMillis(1));
    advance(PluginMetrics.RECENT_WINDOW.minusSeconds(1));
    assertEquals(1, recorder.snapshot().recentLatency().count(), "within the window");

    advance(PluginMetrics.RECENT_WINDOW_SLACK.plusSeconds(2));
    PluginMetrics.Calls calls = recorder.snapshot();

    assertEquals(0, calls.recentLatency().count(), "past the window and its slack");
    assertEquals(1, calls.latency().count());
  }

  @Test
  void recentWindow_keepsEveryCallOfTheLastMinute_whetherSnapshotsAreFrequentOrRare() {
    // A call a second for three minutes, with a snapshot every 7 s.
    for (int second = 0; second < 180; second++) {
      call(Duration.ofMillis(1));
      advance(Duration.ofMillis(999));
      if (second % 7 == 0) {
        recorder.snapshot();
      }
    }

    long recent = recorder.snapshot().recentLatency().count();

    long window = PluginMetrics.RECENT_WINDOW.toSeconds();
    long slack = PluginMetrics.RECENT_WINDOW_SLACK.toSeconds();
    assertTrue(recent >= window && recent <= window + slack + 1, recent + " calls counted as recent");
    assertEquals(180, recorder.snapshot().latency().count());
  }

  @Test
  void inFlight_isStartedLessFinished() {
    long first = recorder.start();
    recorder.start();
    recorder.finish(first, Status.Code.DEADLINE_EXCEEDED);

    PluginMetrics.Calls calls = recorder.snapshot();

    assertEquals(2, calls.started());
    assertEquals(1, calls.inFlight());
    assertEquals(1, calls.failedByCode().get(Status.Code.DEADLINE_EXCEEDED));
  }
}
