package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginState;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.host.internal.runtime.RunnerClient;
import dev.pluginhost.host.internal.spawn.RunnerDistribution;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.it.support.SamplePlugins;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.RunnerBootstrap;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host and a runner check each other before anything else passes between them: the runner
 * must prove it holds the spawn's token, every call must carry it, and both refuse a peer that
 * speaks another protocol version. Here a real runner JVM is started by hand, so the test can
 * hold the wrong token.
 */
class RunnerAuthenticationTest {
  @TempDir Path tempDir;
  private Process runner;
  private Path socketDirectory;
  private EventLoopGroup eventLoops;
  private final byte[] token = RunnerClient.newToken();

  private static final long OUR_PID = ProcessHandle.current().pid();

  @BeforeEach
  void makeEventLoops() {
    eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  }

  /** Starts a runner as the host would, telling it the host is {@code hostPeerPid}. */
  private void startRunnerByHand(long hostPeerPid) throws Exception {
    Path runnerJar = RunnerDistribution.unpack(SamplePlugins.runnerCache());
    Path hello = SamplePlugins.directory().resolve("hello.jar");
    socketDirectory = Files.createTempDirectory(Path.of("/tmp"), "ph-auth-");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    runner =
        new ProcessBuilder(java.toString(), "-cp", runnerJar.toString(), "dev.pluginhost.runner.RunnerMain")
            .redirectError(tempDir.resolve("runner-stderr.txt").toFile())
            .start();
    OutputStream stdin = runner.getOutputStream();
    RunnerBootstrap.newBuilder()
        .setProtocolVersion(WireProtocol.VERSION)
        .setSocketPath(socketDirectory.resolve("r.sock").toString())
        .setAuthToken(ByteString.copyFrom(token))
        .setPluginId("hello")
        .addPluginClasspath(hello.toString())
        .setDataDirectory(Files.createDirectories(tempDir.resolve("data")).toString())
        .setHostPeerPid(hostPeerPid)
        .build()
        .writeDelimitedTo(stdin);
    stdin.flush();
    String firstLine =
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return new BufferedReader(new InputStreamReader(runner.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                })
            .get(60, TimeUnit.SECONDS);
    assertEquals(WireProtocol.READY_LINE, firstLine);
  }

  @AfterEach
  void stopTheRunner() throws Exception {
    if (runner != null) {
      runner.descendants().forEach(ProcessHandle::destroyForcibly);
      runner.destroyForcibly();
      runner.onExit().get(10, TimeUnit.SECONDS);
    }
    if (eventLoops != null) {
      eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    if (socketDirectory != null) {
      Files.deleteIfExists(socketDirectory.resolve("r.sock"));
      Files.deleteIfExists(socketDirectory);
    }
  }

  private RunnerClient client(byte[] withToken) {
    return RunnerClient.connect(socketDirectory.resolve("r.sock"), withToken, runner.pid(), eventLoops);
  }

  private static Deadline tenSeconds() {
    return Deadline.after(10, TimeUnit.SECONDS);
  }

  @Test
  void hostHoldingTheRightToken_isAnsweredAndServed() throws Exception {
    startRunnerByHand(OUR_PID);
    try (RunnerClient client = client(token)) {
      assertEquals(runner.pid(), client.handshake(WireProtocol.VERSION, tenSeconds()).get().getPid());
      assertTrue(client.futureStub().withDeadline(tenSeconds()).getStats(GetStatsRequest.getDefaultInstance()).get().getThreadCount() > 0);
    }
  }

  @Test
  void runnerThatCannotProveTheHostsToken_isRefusedByTheHost() throws Exception {
    startRunnerByHand(OUR_PID);
    try (RunnerClient client = client(RunnerClient.newToken())) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> client.handshake(WireProtocol.VERSION, tenSeconds()).get());
      assertInstanceOf(RunnerClient.HandshakeException.class, e.getCause());
      assertTrue(e.getCause().getMessage().contains("could not prove"), e.getCause().getMessage());
    }
  }

  @Test
  void callWithoutTheSpawnsToken_isRefusedAsUnauthenticated() throws Exception {
    startRunnerByHand(OUR_PID);
    try (RunnerClient client = client(RunnerClient.newToken())) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () -> client.futureStub().withDeadline(tenSeconds()).getStats(GetStatsRequest.getDefaultInstance()).get());
      assertEquals(Status.Code.UNAUTHENTICATED, ((StatusRuntimeException) e.getCause()).getStatus().getCode());
    }
  }

  @Test
  void hostOfAnotherProtocolVersion_isRefusedByTheRunner_namingBothVersions() throws Exception {
    startRunnerByHand(OUR_PID);
    try (RunnerClient client = client(token)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> client.handshake(99, tenSeconds()).get());
      Status status = ((StatusRuntimeException) e.getCause()).getStatus();
      assertEquals(Status.Code.FAILED_PRECONDITION, status.getCode());
      assertEquals(WireProtocol.versionMismatch(99, WireProtocol.VERSION), status.getDescription());
    }
  }

  @Test
  void hostExpectingAnotherProcessOnTheSocket_refusesWhateverServesIt_namingBoth() throws Exception {
    startRunnerByHand(OUR_PID);
    // As if the host had spawned `sleep` and a stranger (the runner) had bound the socket first.
    Process spawned = new ProcessBuilder("sleep", "60").start();
    try (RunnerClient client =
        RunnerClient.connect(socketDirectory.resolve("r.sock"), token, spawned.pid(), eventLoops)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> client.handshake(WireProtocol.VERSION, tenSeconds()).get());
      Status status = ((StatusRuntimeException) e.getCause()).getStatus();
      assertEquals(Status.Code.UNAVAILABLE, status.getCode(), status.toString());
      String why = String.valueOf(status.getCause());
      assertTrue(
          why.contains("is pid " + runner.pid()) && why.contains("not the spawned process (pid " + spawned.pid() + ")"),
          why);
    } finally {
      spawned.destroyForcibly().onExit().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void connectionFromAProcessOtherThanTheHost_isClosedByTheRunnerBeforeAnyCall() throws Exception {
    // The runner is told its host is pid 1, so this test's JVM is a stranger to it.
    startRunnerByHand(1);
    try (RunnerClient client = client(token)) {
      ExecutionException e =
          assertThrows(ExecutionException.class, () -> client.handshake(WireProtocol.VERSION, tenSeconds()).get());
      assertEquals(Status.Code.UNAVAILABLE, ((StatusRuntimeException) e.getCause()).getStatus().getCode());
    }
    String expected = "refused a connection to its socket: the peer is pid " + OUR_PID;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    String stderr = "";
    while (System.nanoTime() - deadline < 0 && !stderr.contains(expected)) {
      stderr = Files.readString(tempDir.resolve("runner-stderr.txt"));
      Thread.sleep(20);
    }
    assertTrue(stderr.contains(expected), stderr);
    assertTrue(runner.isAlive(), "the runner serves on");
  }

  @Test
  void runnerOfAnotherProtocolVersion_failsToStartUnderTheHost_namingBothVersions() throws Exception {
    try (RunningHost running =
        RunningHost.start(
            tempDir.resolve("host"),
            b -> b.plugin(
                "hello",
                s -> s.addJvmOptions("-Dpluginhost.runner.testing.protocolVersion=2")
                    .restartBackoff(Duration.ofMinutes(5), Duration.ofMinutes(5))),
            "hello")) {
      PluginHandle hello = running.plugin("hello");
      assertEquals(PluginState.RESTARTING, hello.state());
      ProcessDeath death = hello.lastDeath().orElseThrow();
      assertTrue(
          death.detail().contains(WireProtocol.versionMismatch(WireProtocol.VERSION, 2)), death.detail());
    }
  }
}
