package dev.pluginhost.it;

import static dev.pluginhost.it.support.HostileFixture.CALL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.SandboxMode;
import dev.pluginhost.it.support.HostileFixture;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningHost;
import dev.pluginhost.it.support.SteadyCalls;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile matrix, the row where a plugin dials another plugin's socket, with the OS sandbox
 * off, so that the path is there to dial: the other plugin's runner closes the connection the
 * moment it sees the caller is not its host, before a byte of HTTP/2 is read. (With the sandbox
 * on, the socket is not even visible: see {@link SandboxTest}.)
 */
class HostileMatrixTestSockets {
  @TempDir static Path tempDir;
  private static RunningHost running;

  @BeforeAll
  static void start() throws Exception {
    running =
        RunningHost.start(
            tempDir,
            b -> b.defaults(PluginSettings.builder().processes(1).sandbox(SandboxMode.OFF).build())
                .plugin("hostile", HostileFixture::quickFaults),
            "hello", "hostile");
  }

  @AfterAll
  static void stop() {
    if (running != null) {
      running.close();
    }
  }

  @Test
  void dialingAnotherPluginsSocket_withoutTheSandbox_isHungUpOnByItsRunner_andHarmsNothing() throws Exception {
    long helloPid = running.pidOf("hello");
    long hostilePid = running.pidOf("hostile");
    List<Path> sockets =
        Processes.unixSocketPaths(helloPid).stream().filter(p -> p.endsWith("r.sock")).toList();
    assertEquals(1, sockets.size(), "hello's runner socket: " + sockets);
    try (SteadyCalls steady = SteadyCalls.start(running.plugin("hello"))) {
      String outcome = running.plugin("hostile").callText("dialSocket", sockets.get(0).toString(), CALL);
      assertEquals("closed", outcome, "a runner must hang up on a stranger before speaking HTTP/2");
      assertEquals("pong", running.plugin("hostile").callText("ping", "", CALL));
      assertEquals(hostilePid, running.pidOf("hostile"));
      assertEquals("steady", running.plugin("hello").callText("echo", "steady", CALL));
      assertEquals(helloPid, running.pidOf("hello"));
      steady.assertNoneFailed();
    }
  }

  @Test
  void dialingItsOwnRunnersSocket_isHungUpOnToo() throws Exception {
    long hostilePid = running.pidOf("hostile");
    List<Path> sockets =
        Processes.unixSocketPaths(hostilePid).stream().filter(p -> p.endsWith("r.sock")).toList();
    assertEquals(1, sockets.size(), "hostile's runner socket: " + sockets);
    // The plugin's code runs in the runner's JVM, but is not the host: its own socket refuses it.
    assertEquals("closed", running.plugin("hostile").callText("dialSocket", sockets.get(0).toString(), CALL));
    assertEquals("pong", running.plugin("hostile").callText("ping", "", CALL));
    assertEquals(hostilePid, running.pidOf("hostile"));
  }

  @Test
  void aPluginWithoutTheSandbox_isInASessionAndGroupOfItsOwn_outOfReachOfSignalsToTheHostsGroup() throws Exception {
    long pid = running.pidOf("hello");
    long[] plugin = sessionAndGroup(pid);
    long[] host = sessionAndGroup(ProcessHandle.current().pid());
    assertTrue(plugin[0] != host[0] && plugin[1] != host[1], "plugin session/group " + plugin[0] + "/" + plugin[1]
        + ", host's " + host[0] + "/" + host[1]);
    assertEquals(pid, plugin[1], "it leads its own group");
  }

  /** The session id and process group id of {@code pid}, from /proc/PID/stat. */
  private static long[] sessionAndGroup(long pid) throws java.io.IOException {
    String stat = java.nio.file.Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    // After the command name in parentheses: state, ppid, pgrp, session, ...
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(fields[3]), Long.parseLong(fields[2])};
  }
}
