package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.SandboxMode;
import dev.pluginhost.host.internal.spawn.Sandbox;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.it.support.Processes;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inside the OS sandbox a plugin sees nothing of the host's files, network or processes. CI
 * installs bubblewrap, so these run for real there; on a machine without it they are skipped.
 */
class SandboxTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @TempDir static Path tempDir;
  private static RunningHost running;
  private static PluginHandle probe;
  private static PluginHandle hostile;
  private static Path secret;

  @BeforeAll
  static void startSandboxedPlugins() throws Exception {
    assumeTrue(Sandbox.probe().available(), "bubblewrap is not available: " + Sandbox.probe().problem());
    secret = Files.writeString(tempDir.resolve("host-secret.txt"), "the host's secret\n");
    running =
        RunningHost.start(
            tempDir,
            b -> b.defaults(dev.pluginhost.host.PluginSettings.builder().processes(1).sandbox(SandboxMode.REQUIRED).build()),
            "probe", "hostile", "hello");
    probe = running.plugin("probe");
    hostile = running.plugin("hostile");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void fileOutsideItsDirectories_isNotThere() {
    String result = probe.callText("readFile", secret.toString(), TIMEOUT);
    assertTrue(result.startsWith("denied: java.nio.file.NoSuchFileException"), result);
  }

  @Test
  void networkConnection_toTheHostsLoopback_fails() throws Exception {
    try (ServerSocket listening = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      String result = probe.callText("connect", "127.0.0.1:" + listening.getLocalPort(), TIMEOUT);
      assertTrue(result.startsWith("denied: "), result);
    }
  }

  @Test
  void hostsEnvironment_throughProc_isOutOfReach() {
    assertEquals("canary-in-the-test-jvm", System.getenv("PLUGINHOST_TEST_CANARY"), "precondition");
    String seen;
    try {
      seen = hostile.callText("hostEnvironment", "", TIMEOUT);
    } catch (dev.pluginhost.host.PluginCallException e) {
      seen = e.getMessage();
    }
    assertFalse(seen.contains("PLUGINHOST_TEST_CANARY"), seen);
  }

  @Test
  void otherProcesses_areInvisible() {
    String fds = probe.callText("readFile", "/proc/1/cmdline", TIMEOUT);
    assertFalse(fds.contains("process_api") || fds.contains("init"), "pid 1 of its namespace is the sandbox, not the machine's init: " + fds);
  }

  @Test
  void anotherPluginsSocket_isNotThereToDial() throws Exception {
    List<Path> sockets =
        Processes.unixSocketPaths(running.pidOf("hello")).stream().filter(p -> p.endsWith("r.sock")).toList();
    assertEquals(1, sockets.size(), "hello's runner socket: " + sockets);
    String outcome = hostile.callText("dialSocket", sockets.get(0).toString(), TIMEOUT);
    assertTrue(outcome.startsWith("denied: "), outcome);
    assertEquals("Hello, sandbox!", running.plugin("hello").callText("greet", "sandbox", TIMEOUT));
  }

  /**
   * A Unix socket of the host's own, in a private directory outside the plugin's, as the host's
   * admin socket is: this JVM (the host) can dial it, the sandboxed plugin cannot.
   */
  @Test
  void hostsOwnSocket_likeTheAdminSocket_isNotThereToDial() throws Exception {
    Path privateDirectory =
        Files.createDirectory(tempDir.resolve("host-private"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path adminLike = privateDirectory.resolve("admin.sock");
    try (ServerSocketChannel listening = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      listening.bind(UnixDomainSocketAddress.of(adminLike));
      try (SocketChannel ours = SocketChannel.open(UnixDomainSocketAddress.of(adminLike))) {
        assertTrue(ours.isConnected(), "precondition: the host reaches its own socket");
      }
      String outcome = hostile.callText("dialSocket", adminLike.toString(), TIMEOUT);
      assertTrue(outcome.startsWith("denied: "), outcome);
    }
  }
}
