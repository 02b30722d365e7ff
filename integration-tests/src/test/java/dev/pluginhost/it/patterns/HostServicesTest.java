package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginServiceException;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.Registration;
import dev.pluginhost.it.support.EventRecorder;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import org.junit.jupiter.api.AfterAll;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host services a plugin may be granted, used by the ledger sample: a store that outlives its
 * processes and the host, a lock its pool shares and a dying holder gives up, structured records in
 * the host's log, a service of the embedding application, and PERMISSION_DENIED without a grant.
 */
class HostServicesTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final EventLoopGroup INTRUDER_LOOP = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

  @AfterAll
  static void stopIntruderLoop() {
    INTRUDER_LOOP.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @TempDir Path tempDir;

  @Test
  void everyService_withoutItsGrant_isRefusedWithPermissionDeniedNamingTheGrant() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, "ledger")) {
      PluginHandle ledger = running.plugin("ledger");

      assertDenied(ledger, "visit", "home", "kv");
      assertDenied(ledger, "critical", "0", "locks");
      assertDenied(ledger, "note", "hello", "log");
      assertDenied(ledger, "quote", "apples", "service:pricing");
      assertEquals(PluginState.RUNNING, ledger.state(), "a refusal is the call's error, not the plugin's end");
    }
  }

  @Test
  void keyValueStore_outlivesTheProcessAndTheHost() throws Exception {
    Path data = tempDir.resolve("data");
    try (RunningHost running =
        RunningHost.start(tempDir.resolve("first"), b -> b.dataDirectory(data).plugin("ledger", s -> s.grant(Grants.KV)), "ledger")) {
      PluginHandle ledger = running.plugin("ledger");
      for (int i = 1; i <= 3; i++) {
        assertEquals(Integer.toString(i), ledger.callText("visit", "home", TIMEOUT));
      }
      EventRecorder events = new EventRecorder(ledger);
      ProcessHandle.of(running.pidOf("ledger")).orElseThrow().destroyForcibly();
      events.awaitEntering(PluginState.RESTARTING, TIMEOUT);
      events.awaitEntering(PluginState.RUNNING, TIMEOUT);

      assertEquals("4", ledger.callText("visit", "home", TIMEOUT), "the count outlived the process");
    }
    try (RunningHost again =
        RunningHost.start(tempDir.resolve("second"), b -> b.dataDirectory(data).plugin("ledger", s -> s.grant(Grants.KV)), "ledger")) {
      assertEquals("5", again.plugin("ledger").callText("visit", "home", TIMEOUT), "the count outlived the host");
      assertEquals("0", again.plugin("ledger").callText("visits", "elsewhere", TIMEOUT));
    }
  }

  @Test
  void sharedLock_letsOneProcessOfThePoolInAtATime() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir, b -> b.plugin("ledger", s -> s.processes(2).grant(Grants.KV, Grants.LOCKS)), "ledger")) {
      PluginHandle ledger = running.plugin("ledger");
      List<ListenableFuture<byte[]>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(ledger.callAsync("critical", utf8("40"), TIMEOUT));
      }
      java.util.Set<String> processes = new java.util.HashSet<>();
      for (ListenableFuture<byte[]> call : calls) {
        String answer = new String(call.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertTrue(answer.startsWith("alone@"), "inside the section with another process: " + answer);
        processes.add(answer.substring("alone@".length()));
      }
      assertEquals(2, processes.size(), "both processes of the pool took turns: " + processes);
    }
  }

  @Test
  void lockHeldByAProcessThatDies_goesToTheNextWaiter() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.plugin("ledger", s -> s.processes(2).maxConcurrentCallsPerProcess(1).grant(Grants.KV, Grants.LOCKS)),
            "ledger")) {
      PluginHandle ledger = running.plugin("ledger");
      ListenableFuture<byte[]> holder = ledger.callAsync("holdAndDie", utf8(""), TIMEOUT);

      ExecutionException failed =
          assertThrows(ExecutionException.class, () -> holder.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      PluginCallException death = (PluginCallException) failed.getCause();
      assertEquals(Status.Code.UNAVAILABLE, death.code(), death.getMessage());
      assertTrue(death.getMessage().contains("exited with code 7"), death.getMessage());

      // The lock went free with its holder: the other process gets it at once.
      assertEquals("free", ledger.callText("tryLock", "", TIMEOUT));
      assertTrue(ledger.callText("critical", "0", TIMEOUT).startsWith("alone@"));
    }
  }

  @Test
  void structuredRecords_reachThePluginsLogWithTheirFields() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("ledger", s -> s.grant(Grants.LOG)), "ledger")) {
      PluginHandle ledger = running.plugin("ledger");
      CompletableFuture<OutputLine> record = new CompletableFuture<>();
      try (Registration watching =
          ledger.watchOutput(
              line -> {
                if (line.stream() == OutputLine.Stream.LOG) {
                  record.complete(line);
                }
              },
              MoreExecutors.directExecutor())) {
        assertEquals("logged", ledger.callText("note", "fetched|url=http://example.test/a,status=200", TIMEOUT));

        OutputLine line = record.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        assertTrue(line.text().startsWith("INFO fetched "), line.text());
        assertTrue(line.text().contains("status=200"), line.text());
        assertTrue(line.text().contains("url=http://example.test/a"), line.text());
        assertEquals(running.pidOf("ledger"), line.pid());
      }
    }
  }

  @Test
  void applicationService_answersTheGrantedPlugin_andKnowsWhoAsks() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir,
            b -> b.service("pricing", request -> {
                  if (request.text().isEmpty()) {
                    throw new PluginServiceException(Status.Code.INVALID_ARGUMENT, "name an item to price");
                  }
                  if (request.text().equals("secret")) {
                    // Meant for the application's own log, not for a plugin.
                    throw new IllegalArgumentException("database password is hunter2");
                  }
                  return utf8(request.method() + " " + request.text() + " for " + request.pluginId() + ": 3 EUR");
                })
                .plugin("ledger", s -> s.grant(Grants.service("pricing"))),
            "ledger")) {
      PluginHandle ledger = running.plugin("ledger");

      assertEquals("quote apples for ledger: 3 EUR", ledger.callText("quote", "apples", TIMEOUT));

      PluginCallException invalid = assertThrows(PluginCallException.class, () -> ledger.callText("quote", "", TIMEOUT));
      assertTrue(invalid.getMessage().contains("INVALID_ARGUMENT: name an item to price"), invalid.getMessage());
      PluginCallException internal =
          assertThrows(PluginCallException.class, () -> ledger.callText("quote", "secret", TIMEOUT));
      assertTrue(internal.getMessage().contains("INTERNAL: service 'pricing' failed"), internal.getMessage());
      assertTrue(!internal.getMessage().contains("hunter2"), "the application's message stays in the host: " + internal.getMessage());
    }
  }

  @Test
  void servicesSocket_refusesEveryProcessButThePlugins() throws Exception {
    try (RunningHost running = RunningHost.start(tempDir, b -> b.plugin("ledger", s -> s.grant(Grants.KV)), "ledger")) {
      PluginHandle ledger = running.plugin("ledger");
      assertEquals("1", ledger.callText("visit", "home", TIMEOUT));
      Path socket =
          Processes.unixSocketPaths(ProcessHandle.current().pid()).stream()
              .filter(path -> path.endsWith("h.sock") && path.getParent().getFileName().toString().startsWith("ledger-"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("the host serves ledger no services socket"));

      // This test's JVM is not the plugin's process: the host closes the connection unread.
      ManagedChannel intruder =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .eventLoopGroup(INTRUDER_LOOP)
              .channelType(EpollDomainSocketChannel.class)
              .usePlaintext()
              .build();
      try {
        StatusRuntimeException refused =
            assertThrows(
                StatusRuntimeException.class,
                () -> HostServicesGrpc.newBlockingStub(intruder)
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .kvPut(KvPutRequest.newBuilder().setKey("visits/home").setValue(ByteString.copyFromUtf8("1000")).build()));
        assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
      } finally {
        intruder.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
      assertEquals("2", ledger.callText("visit", "home", TIMEOUT), "the store is as the plugin left it");
    }
  }

  private static void assertDenied(PluginHandle plugin, String function, String input, String grant) {
    PluginCallException e = assertThrows(PluginCallException.class, () -> plugin.callText(function, input, TIMEOUT));
    assertTrue(
        e.getMessage().contains("PERMISSION_DENIED: plugin " + plugin.id() + " was not granted \"" + grant + "\""),
        e.getMessage());
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
