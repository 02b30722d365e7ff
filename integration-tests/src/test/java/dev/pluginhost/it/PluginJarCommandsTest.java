package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pluginhost.it.support.PluginJarCopies;
import dev.pluginhost.it.support.RunningServer;
import dev.pluginhost.it.support.SamplePlugins;
import dev.pluginhost.proto.admin.v1.InvokeRequest;
import dev.pluginhost.proto.admin.v1.PluginAdminGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * verify, install, upgrade and remove as an operator runs them against a running server: an
 * upgrade under steady calls (made through the admin API while the CLI upgrades) fails none, a
 * version that does not start leaves the old one serving, and what was installed, upgraded or
 * removed is still so after the server restarts.
 */
class PluginJarCommandsTest {
  @TempDir Path tempDir;

  private Path helloJar() {
    return SamplePlugins.directory().resolve("hello.jar");
  }

  @Test
  void verify_acceptsAPluginJar_andNamesWhatIsWrongWithOthers() throws Exception {
    RunningServer.Cli.Run good = RunningServer.Cli.run(tempDir, null, java.time.Duration.ofSeconds(60), "verify", helloJar().toString());
    assertEquals(0, good.exitCode(), good::toString);
    assertTrue(good.stdout().contains("id           hello") && good.stdout().contains("this host provides"), good.stdout());

    Path text = Files.writeString(tempDir.resolve("notes.jar"), "not a jar");
    RunningServer.Cli.Run bad = RunningServer.Cli.run(tempDir, null, java.time.Duration.ofSeconds(60), "verify", text.toString());
    assertEquals(1, bad.exitCode(), bad::toString);
    assertTrue(bad.stderr().contains("notes.jar: not a jar"), bad.stderr());

    Path noClass = PluginJarCopies.copy(helloJar(), tempDir.resolve("no-class.jar"), p -> {}, n -> !n.startsWith("META-INF/services/"));
    RunningServer.Cli.Run missing = RunningServer.Cli.run(tempDir, null, java.time.Duration.ofSeconds(60), "verify", noClass.toString());
    assertEquals(1, missing.exitCode(), missing::toString);
    assertTrue(missing.stderr().contains("registers no plugin class"), missing.stderr());
  }

  @Test
  void installUpgradeAndRemove_changeTheRunningServer_failNoCall_andOutliveARestart() throws Exception {
    Path home = RunningServer.prepare(tempDir.resolve("server"), "defaults { processes = 2 }\n", "hello");
    Path v2 = PluginJarCopies.withVersion(helloJar(), tempDir.resolve("upload/hello.jar"), "2.0.0");
    Path broken =
        PluginJarCopies.copy(helloJar(), tempDir.resolve("upload/hello-broken.jar"), p -> p.setProperty("version", "3.0.0"),
            n -> !n.startsWith("META-INF/services/"));
    try (RunningServer server = RunningServer.start(home)) {
      RunningServer.Cli.Run installed = server.cli("install", SamplePlugins.directory().resolve("crasher.jar").toString());
      assertEquals(0, installed.exitCode(), installed::toString);
      assertTrue(installed.stdout().startsWith("installed crasher 0.1.0-SNAPSHOT: RUNNING"), installed.stdout());
      assertTrue(Files.exists(home.resolve("plugins/crasher-0.1.0-SNAPSHOT.jar")), "the jar is kept in plugins/");

      RunningServer.Cli.Run again = server.cli("install", SamplePlugins.directory().resolve("crasher.jar").toString());
      assertEquals(1, again.exitCode(), again::toString);
      assertTrue(again.stderr().contains("ALREADY_EXISTS: plugin 'crasher' is already installed"), again.stderr());

      Path notAPlugin = Files.writeString(tempDir.resolve("upload/notes.jar"), "not a jar");
      RunningServer.Cli.Run bad = server.cli("install", notAPlugin.toString());
      assertEquals(1, bad.exitCode(), bad::toString);
      assertTrue(bad.stderr().contains("notes.jar: not a jar"), bad.stderr());

      try (SteadyAdminCalls steady = new SteadyAdminCalls(home.resolve("data/admin.sock"))) {
        RunningServer.Cli.Run upgraded = server.cli("upgrade", "hello", v2.toString());
        assertEquals(0, upgraded.exitCode(), upgraded::toString);
        assertTrue(upgraded.stdout().startsWith("upgraded hello to 2.0.0: RUNNING"), upgraded.stdout());
        assertTrue(upgraded.stderr().contains("upgraded from version 0.1.0-SNAPSHOT to 2.0.0"), "progress: " + upgraded.stderr());
        steady.awaitMoreCalls(20);

        RunningServer.Cli.Run refused = server.cli("upgrade", "hello", broken.toString());
        assertEquals(1, refused.exitCode(), refused::toString);
        assertTrue(refused.stderr().contains("FAILED_PRECONDITION: plugin 'hello' version 3.0.0 did not start"), refused.stderr());
        assertTrue(refused.stderr().contains("version 2.0.0 serves on"), refused.stderr());
        steady.awaitMoreCalls(20);
        assertEquals(List.of(), steady.failures(), "calls failed during the upgrades");
      }
      assertEquals(List.of("crasher-0.1.0-SNAPSHOT.jar", "hello-2.0.0.jar"), jarsIn(home.resolve("plugins")));

      RunningServer.Cli.Run removed = server.cli("remove", "crasher");
      assertEquals(0, removed.exitCode(), removed::toString);
      assertEquals("removed crasher 0.1.0-SNAPSHOT", removed.stdout().strip());
      assertEquals(List.of("hello-2.0.0.jar"), jarsIn(home.resolve("plugins")));
    }
    try (RunningServer restarted = RunningServer.start(home)) {
      RunningServer.Cli.Run list = restarted.cli("list");
      assertEquals(0, list.exitCode(), list::toString);
      assertTrue(list.stdout().lines().anyMatch(l -> l.matches("hello +2\\.0\\.0 +RUNNING .*")), list.stdout());
      assertFalse(list.stdout().contains("crasher"), list.stdout());
    }
  }

  private static List<String> jarsIn(Path directory) throws Exception {
    try (Stream<Path> files = Files.list(directory)) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".jar")).sorted().toList();
    }
  }

  /** Calls hello.echo through the server's admin API, one call after another, from a thread of its own. */
  private static final class SteadyAdminCalls implements AutoCloseable {
    private final EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    private final ManagedChannel channel;
    private final AtomicBoolean calling = new AtomicBoolean(true);
    private final AtomicInteger calls = new AtomicInteger();
    private final List<String> failures = new CopyOnWriteArrayList<>();
    private final Thread thread;

    SteadyAdminCalls(Path socket) {
      channel =
          NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
              .eventLoopGroup(eventLoops)
              .channelType(EpollDomainSocketChannel.class)
              .usePlaintext()
              .build();
      PluginAdminGrpc.PluginAdminBlockingStub admin = PluginAdminGrpc.newBlockingStub(channel);
      ByteString payload = ByteString.copyFrom("steady", StandardCharsets.UTF_8);
      thread = new Thread(() -> {
        while (calling.get()) {
          try {
            ByteString echoed =
                admin.withDeadlineAfter(10, TimeUnit.SECONDS)
                    .invoke(InvokeRequest.newBuilder().setId("hello").setFunction("echo").setInput(payload).build())
                    .getOutput();
            if (!echoed.equals(payload)) {
              failures.add("wrong reply: " + echoed.toStringUtf8());
            }
          } catch (StatusRuntimeException e) {
            failures.add(e.getStatus().toString());
          }
          calls.incrementAndGet();
        }
      }, "steady-admin-calls");
      thread.setDaemon(true);
      thread.start();
    }

    /** Waits (at most 30 s) until {@code more} calls have completed since now. */
    void awaitMoreCalls(int more) throws InterruptedException {
      int target = calls.get() + more;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (calls.get() < target && System.nanoTime() - deadline < 0) {
        Thread.sleep(10);
      }
      assertTrue(calls.get() >= target, "the steady calls stalled at " + calls.get());
    }

    List<String> failures() {
      return List.copyOf(failures);
    }

    @Override
    public void close() throws InterruptedException {
      calling.set(false);
      thread.join(TimeUnit.SECONDS.toMillis(15));
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }
}
