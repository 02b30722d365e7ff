package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.pluginhost.it.support.Processes;
import dev.pluginhost.it.support.RunningServer;
import dev.pluginhost.it.support.RunningServer.Cli;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * start, stop, restart, enable and disable as an operator runs them, with and without
 * {@code --wait}: what they print, the state the plugin is in after, and the progress lines
 * {@code --wait} shows. One server with one plugin (hello, one process); every test leaves hello
 * running and enabled, as it found it.
 */
class LifecycleCommandsTest {
  private static final Duration EVENT_WITHIN = Duration.ofSeconds(30);
  private static final Duration PROCESS_ENDS_WITHIN = Duration.ofSeconds(10);
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
  /** A --wait progress line on stderr: time since the command started, then the plugin's state. */
  private static final Pattern PROGRESS = Pattern.compile("  \\d+(ms|s)  hello: (STARTING|RUNNING|RESTARTING|STOPPING|DISABLED)( \\(pids? [\\d, ]+\\))?");
  private static final Pattern RUNNING = Pattern.compile("RUNNING \\(pid (\\d+)\\)");

  @TempDir static Path tempDir;

  private static RunningServer server;

  @BeforeAll
  static void startAServer() throws Exception {
    server = RunningServer.start(tempDir.resolve("server"), "defaults { processes = 1 }\n", "hello");
  }

  @AfterAll
  static void stopTheServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void stopThenStart_withoutWait_answerAtOnce_andThePluginGetsThereSoonAfter() throws Exception {
    long pid = helloPid();
    try (RunningServer.Following events = followHelloEvents()) {
      Cli.Run stop = server.cli("stop", "hello");

      assertEquals(0, stop.exitCode(), stop::toString);
      assertTrue(stop.stdout().matches("hello stop: (STOPPING \\(pid " + pid + "\\)|DISABLED)\n"), stop::toString);
      events.awaitLine(line -> line.endsWith("  hello  STOPPING -> DISABLED  disabled"), "saying hello stopped", EVENT_WITHIN);
      assertEquals(List.of(), Processes.awaitEnded(List.of(pid), PROCESS_ENDS_WITHIN));
      Cli.Run status = server.cli("status", "hello");
      // Stopped, not disabled: no word of an operator's disabling, which a server restart would remember.
      assertTrue(status.stdout().startsWith("hello 0.1.0-SNAPSHOT: DISABLED\n  processes  none\n"), status::toString);

      Cli.Run start = server.cli("start", "hello");

      assertEquals(0, start.exitCode(), start::toString);
      assertTrue(start.stdout().matches("hello start: (STARTING|RUNNING)( \\(pid \\d+\\))?\n"), start::toString);
      events.awaitLine(line -> line.matches(TIME + "  hello  STARTING -> RUNNING  serving as pid \\d+"), "saying hello serves again", EVENT_WITHIN);
      assertEquals("", start.stderr(), "progress is for --wait only");
    }
  }

  @Test
  void stopThenStart_withWait_answerWhenDone_showingProgressOnStderr() throws Exception {
    long pid = helloPid();

    Cli.Run stop = server.cli("stop", "hello", "--wait");

    assertEquals(0, stop.exitCode(), stop::toString);
    assertEquals("hello stop: DISABLED\n", stop.stdout());
    assertTrue(stop.stderrLines().stream().allMatch(line -> PROGRESS.matcher(line).matches()), stop::toString);
    assertEquals(List.of(), Processes.awaitEnded(List.of(pid), PROCESS_ENDS_WITHIN), "stop --wait answered before its process ended");

    Cli.Run start = server.cli("start", "hello", "--wait");

    assertEquals(0, start.exitCode(), start::toString);
    long newPid = runningPid(start, "hello start: ");
    assertEquals(newPid, helloPid());
    assertProgress(start);
  }

  @Test
  void restart_withWait_replacesTheProcess_showingProgress() throws Exception {
    long pid = helloPid();

    Cli.Run restart = server.cli("restart", "hello", "--wait");

    assertEquals(0, restart.exitCode(), restart::toString);
    long newPid = runningPid(restart, "hello restart: ");
    assertNotEquals(pid, newPid);
    assertProgress(restart);
    assertEquals(List.of(), Processes.awaitEnded(List.of(pid), PROCESS_ENDS_WITHIN), "the replaced process still runs");
    assertEquals(newPid, helloPid());
  }

  @Test
  void restart_withoutWait_answersAtOnce_andTheNewProcessJoinsSoonAfter() throws Exception {
    long pid = helloPid();
    try (RunningServer.Following events = followHelloEvents()) {
      Cli.Run restart = server.cli("restart", "hello");

      assertEquals(0, restart.exitCode(), restart::toString);
      assertTrue(restart.stdout().matches("hello restart: RUNNING \\(pids? [\\d, ]+\\)\n"), restart::toString);
      assertTrue(restart.stdout().contains(Long.toString(pid)), "answered before the old process could have gone: " + restart);
      events.awaitLine(line -> line.matches(TIME + "  hello  RUNNING -> RUNNING  pid \\d+ joined the pool"), "with the new process", EVENT_WITHIN);
    }
    assertEquals(List.of(), Processes.awaitEnded(List.of(pid), PROCESS_ENDS_WITHIN), "the replaced process still runs");
  }

  @Test
  void restart_withWaitAndJson_printsThePluginStatus_andNoProgress() throws Exception {
    Cli.Run restart = server.cli("restart", "hello", "--wait", "--json");

    assertEquals(0, restart.exitCode(), restart::toString);
    assertEquals("", restart.stderr());
    PluginStatus.Builder status = PluginStatus.newBuilder();
    JsonFormat.parser().merge(restart.stdout(), status);
    assertEquals("RUNNING", status.getState());
    assertEquals(1, status.getProcessesCount());
    assertEquals(helloPid(), status.getProcesses(0).getPid());
  }

  @Test
  void disableThenEnable_withWait_recordTheChoice_andShowIt() throws Exception {
    Path record = server.directory().resolve("data/disabled-plugins");

    Cli.Run disable = server.cli("disable", "hello", "--wait");

    assertEquals(0, disable.exitCode(), disable::toString);
    assertEquals("hello disable: DISABLED\n", disable.stdout());
    assertTrue(Files.readAllLines(record).contains("hello"), Files.readString(record));
    Cli.Run status = server.cli("status", "hello");
    assertTrue(
        status.stdout().startsWith("hello 0.1.0-SNAPSHOT: DISABLED (disabled by an operator: stays off across server restarts)\n"),
        status::toString);

    Cli.Run enable = server.cli("enable", "hello", "--wait");

    assertEquals(0, enable.exitCode(), enable::toString);
    assertEquals(runningPid(enable, "hello enable: "), helloPid());
    assertProgress(enable);
    assertFalse(Files.readAllLines(record).contains("hello"), Files.readString(record));
  }

  @Test
  void disableThenEnable_withoutWait_answerAtOnce_andThePluginGetsThereSoonAfter() throws Exception {
    try (RunningServer.Following events = followHelloEvents()) {
      Cli.Run disable = server.cli("disable", "hello");

      assertEquals(0, disable.exitCode(), disable::toString);
      assertTrue(disable.stdout().matches("hello disable: (STOPPING \\(pid \\d+\\)|DISABLED)\n"), disable::toString);
      events.awaitLine(line -> line.endsWith("  hello  STOPPING -> DISABLED  disabled"), "saying hello is disabled", EVENT_WITHIN);

      Cli.Run enable = server.cli("enable", "hello");

      assertEquals(0, enable.exitCode(), enable::toString);
      assertTrue(enable.stdout().matches("hello enable: (STARTING|RUNNING)( \\(pid \\d+\\))?\n"), enable::toString);
      events.awaitLine(line -> line.endsWith("  hello  DISABLED -> STARTING  enabled by an operator"), "saying an operator enabled it", EVENT_WITHIN);
      events.awaitLine(line -> line.matches(TIME + "  hello  STARTING -> RUNNING  serving as pid \\d+"), "saying hello serves again", EVENT_WITHIN);
    }
  }

  /** events hello -f, once it is following (its one recent event printed), looking only at what comes next. */
  private static RunningServer.Following followHelloEvents() throws Exception {
    return server.follow("events", "hello", "-f", "-n", "1").awaitFirstLineThenSkipSeen(EVENT_WITHIN);
  }

  /** The pid of hello's one process, by status --json; fails unless hello is RUNNING with one. */
  private static long helloPid() throws Exception {
    Cli.Run run = server.cli("status", "hello", "--json");
    assertEquals(0, run.exitCode(), run::toString);
    PluginStatus.Builder status = PluginStatus.newBuilder();
    JsonFormat.parser().merge(run.stdout(), status);
    assertEquals("RUNNING", status.getState(), run::toString);
    assertEquals(1, status.getProcessesCount(), run::toString);
    return status.getProcesses(0).getPid();
  }

  /** The pid in a lifecycle command's {@code PREFIX RUNNING (pid N)} answer. */
  private static long runningPid(Cli.Run run, String prefix) {
    assertTrue(run.stdout().startsWith(prefix), run::toString);
    Matcher m = RUNNING.matcher(run.stdout().substring(prefix.length()).trim());
    assertTrue(m.matches(), run::toString);
    return Long.parseLong(m.group(1));
  }

  /** --wait showed at least one progress line (starting a JVM takes longer than its 250 ms period), each well formed. */
  private static void assertProgress(Cli.Run run) {
    List<String> lines = run.stderrLines();
    assertFalse(lines.isEmpty(), () -> "no progress shown: " + run);
    lines.forEach(line -> assertTrue(PROGRESS.matcher(line).matches(), () -> "not a progress line: '" + line + "' in " + run));
  }
}
