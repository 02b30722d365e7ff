package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.RunningHost;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** While one plugin crashes and another hangs, a healthy neighbour under steady calls misses none. */
class NeighbourIsolationTest {
  private static final Duration RECOVER_WITHIN = Duration.ofSeconds(30);

  @TempDir Path tempDir;

  @Test
  void healthyPlugin_seesZeroFailedCalls_whileNeighboursCrashAndHang() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("hanger", s -> s.callTimeLimit(Duration.ofSeconds(1)).probeInterval(Duration.ofMillis(200))),
            "hello", "crasher", "hanger")) {
      PluginHandle hello = running.plugin("hello");
      PluginHandle crasher = running.plugin("crasher");
      PluginHandle hanger = running.plugin("hanger");
      EventRecorder crasherEvents = new EventRecorder(crasher);
      EventRecorder hangerEvents = new EventRecorder(hanger);
      long helloPid = running.pidOf("hello");

      AtomicBoolean calling = new AtomicBoolean(true);
      AtomicInteger calls = new AtomicInteger();
      List<String> failures = new CopyOnWriteArrayList<>();
      Thread steady =
          new Thread(
              () -> {
                byte[] payload = "steady".getBytes(StandardCharsets.UTF_8);
                while (calling.get()) {
                  calls.incrementAndGet();
                  try {
                    if (!Arrays.equals(payload, hello.call("echo", payload, Duration.ofSeconds(5)))) {
                      failures.add("wrong reply");
                    }
                  } catch (PluginCallException e) {
                    failures.add(e.getMessage());
                  }
                }
              },
              "steady-caller");
      steady.start();
      try {
        assertThrows(PluginCallException.class, () -> crasher.callText("exit", "3", Duration.ofSeconds(10)));
        assertThrows(PluginCallException.class, () -> hanger.callText("spin", "", Duration.ofSeconds(10)));
        crasherEvents.await(e -> e.from() == PluginState.RESTARTING && e.to() == PluginState.RUNNING, RECOVER_WITHIN);
        hangerEvents.await(e -> e.from() == PluginState.RESTARTING && e.to() == PluginState.RUNNING, RECOVER_WITHIN);
      } finally {
        calling.set(false);
        steady.join(Duration.ofSeconds(10).toMillis());
      }

      assertTrue(calls.get() > 10, "the steady caller made only " + calls.get() + " calls");
      assertEquals(List.of(), failures, "failed calls out of " + calls.get());
      assertEquals(helloPid, running.pidOf("hello"));
      assertEquals(0, hello.restartCount());
    }
  }
}
