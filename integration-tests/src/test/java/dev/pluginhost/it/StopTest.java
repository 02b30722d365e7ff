package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.DeathCause;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stopping the host lets calls in flight finish, stops plugins gracefully, and ends their JVMs. */
class StopTest {
  @TempDir Path tempDir;

  @Test
  void stoppingTheHost_letsACallInFlightFinish_thenRefusesNewCalls() throws Exception {
    RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("hanger", s -> s.shutdownGrace(Duration.ofSeconds(10))), "hanger");
    PluginHandle hanger = running.plugin("hanger");
    long pid = running.pidOf("hanger");
    ListenableFuture<byte[]> inFlight =
        hanger.callAsync("sleep", "700".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));

    running.close();

    assertEquals("slept", new String(inFlight.get(1, TimeUnit.SECONDS), StandardCharsets.UTF_8));
    assertEquals(PluginState.STOPPED, hanger.state());
    assertEquals(DeathCause.STOPPED_BY_HOST, hanger.lastDeath().orElseThrow().cause());
    assertTrue(ProcessHandle.of(pid).isEmpty() || !ProcessHandle.of(pid).get().isAlive());
    PluginCallException error =
        assertThrows(PluginCallException.class, () -> hanger.callText("ping", "", Duration.ofSeconds(5)));
    assertEquals(Status.Code.FAILED_PRECONDITION, error.code());
    assertTrue(error.getMessage().contains("stopped"), error.getMessage());
  }

  @Test
  void stoppingTheHost_killsAPluginWhoseCallNeverEnds_afterItsGrace() throws Exception {
    RunningHost running =
        RunningHost.start(tempDir, b -> b.plugin("hanger", s -> s.shutdownGrace(Duration.ofMillis(500))), "hanger");
    PluginHandle hanger = running.plugin("hanger");
    ListenableFuture<byte[]> spinning =
        hanger.callAsync("spin", new byte[0], Duration.ofSeconds(30));

    running.close();

    assertEquals(PluginState.STOPPED, hanger.state());
    assertTrue(spinning.isDone(), "the spinning call ended with its process");
    PluginCallException error =
        assertThrows(PluginCallException.class, () -> dev.pluginhost.host.internal.CallFutures.await(spinning));
    assertEquals(Status.Code.UNAVAILABLE, error.code());
  }
}
