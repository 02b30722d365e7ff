package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import dev.pluginhost.it.support.RunningServer;
import dev.pluginhost.it.support.RunningServer.Cli;
import dev.pluginhost.proto.admin.v1.ListPluginsRequest;
import dev.pluginhost.proto.admin.v1.ListPluginsResponse;
import dev.pluginhost.proto.admin.v1.PluginAdminGrpc;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code pluginhost} client commands as an operator runs them against a running
 * {@code pluginhost serve}: what they print and how they exit. One server (hello and crasher, a
 * process each, admin API on the socket and on loopback TCP) serves every test here; the tests
 * only read it, invoke functions, and restart crasher. Plugin lifecycle commands, which change a
 * plugin's state, are in {@link LifecycleCommandsTest}.
 */
class OperatorCliTest {
  private static final Duration EVENT_WITHIN = Duration.ofSeconds(30);
  private static final String TIME = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

  @TempDir static Path tempDir;

  private static RunningServer server;
  private static int tcpPort;

  // Taken once, after a known history: hello greeted once and failed once, crasher exited with 7
  // during a call and came back.
  private static Cli.Run greet;
  private static Cli.Run fail;
  private static Cli.Run crash;
  private static PluginStatus helloStatus;
  private static Cli.Run helloText;
  private static Cli.Run crasherText;
  private static Cli.Run crasherJson;
  private static Cli.Run list;
  private static Cli.Run listJson;
  private static Cli.Run metrics;

  @BeforeAll
  static void startAServerWithAHistory() throws Exception {
    tcpPort = freeLoopbackPort();
    server =
        RunningServer.start(
            tempDir.resolve("server"),
            "defaults { processes = 1 }\nadmin { tcp-port = " + tcpPort + " }\n",
            "hello", "crasher");

    greet = server.cli("invoke", "hello", "greet", "World");
    fail = server.cli("invoke", "hello", "fail", "boom");
    try (RunningServer.Following events = server.follow("events", "crasher", "-f", "-n", "5")) {
      // Whether it subscribes before, during or after crasher's crash and restart, it shows the
      // restart: live, or as a recent event.
      crash = server.cli("invoke", "crasher", "exit", "7");
      events.awaitLine(line -> line.contains("RESTARTING -> RUNNING"), "showing crasher back", EVENT_WITHIN);
    }
    // Seven reads of the same state: run side by side, each is mostly a JVM starting.
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Future<Cli.Run> helloJson = pool.submit(() -> server.cli("status", "hello", "--json"));
      Future<Cli.Run> helloTextRun = pool.submit(() -> server.cli("status", "hello"));
      Future<Cli.Run> crasherTextRun = pool.submit(() -> server.cli("status", "crasher"));
      Future<Cli.Run> crasherJsonRun = pool.submit(() -> server.cli("status", "crasher", "--json"));
      Future<Cli.Run> listRun = pool.submit(() -> server.cli("list"));
      Future<Cli.Run> listJsonRun = pool.submit(() -> server.cli("list", "--json"));
      Future<Cli.Run> metricsRun = pool.submit(() -> server.cli("metrics"));
      helloStatus = parse(helloJson.get().stdout(), PluginStatus.newBuilder()).build();
      helloText = helloTextRun.get();
      crasherText = crasherTextRun.get();
      crasherJson = crasherJsonRun.get();
      list = listRun.get();
      listJson = listJsonRun.get();
      metrics = metricsRun.get();
    } finally {
      pool.shutdownNow();
    }
  }

  @AfterAll
  static void stopTheServer() throws Exception {
    if (server != null) {
      server.close();
    }
  }

  // ---- list

  @Test
  void list_printsAHeader_andARowPerPluginInIdOrder_withStatePidRestartsCallsAndLastDeath() {
    assertEquals(0, list.exitCode(), list::toString);
    List<String> lines = list.lines();
    assertTrue(lines.get(0).matches("ID +VERSION +STATE +PIDS +UPTIME +RESTARTS +CALLS +FAILED +LAST DEATH"), list::toString);
    assertEquals(3, lines.size(), list::toString);
    long crasherPid = pidOf(parse(crasherJson.stdout(), PluginStatus.newBuilder()).build());
    assertTrue(
        lines.get(1).matches("crasher +0\\.1\\.0-SNAPSHOT +RUNNING +" + crasherPid + " +\\d+(ms|s) +1 +1 +1 +EXITED " + TIME),
        list::toString);
    assertTrue(
        lines.get(2).matches("hello +0\\.1\\.0-SNAPSHOT +RUNNING +" + pidOf(helloStatus) + " +\\d+(ms|s) +0 +2 +1 +-"),
        list::toString);
    assertEquals("", list.stderr());
  }

  @Test
  void listJson_isOneLineOfTheAdminApisListPluginsResponse() throws Exception {
    assertEquals(0, listJson.exitCode(), listJson::toString);
    assertEquals(1, listJson.lines().size(), listJson::toString);
    ListPluginsResponse response = parse(listJson.stdout(), ListPluginsResponse.newBuilder()).build();

    assertEquals(List.of("crasher", "hello"), response.getPluginsList().stream().map(PluginStatus::getId).toList());
    assertEquals(List.of(), response.getProblemsList());
    PluginStatus hello = response.getPlugins(1);
    assertEquals("RUNNING", hello.getState());
    assertTrue(hello.getEnabled());
    assertEquals(pidOf(helloStatus), pidOf(hello));
    assertEquals(List.of("count", "echo", "fail", "greet", "pid", "reject", "shout", "whoCalls"), hello.getFunctionsList());
  }

  // ---- status

  @Test
  void status_ofACrashedPlugin_showsStatePidUptimeMemoryRestartsAndTheLastDeathWithItsReason() {
    assertEquals(0, crasherText.exitCode(), crasherText::toString);
    PluginStatus json = parse(crasherJson.stdout(), PluginStatus.newBuilder()).build();
    List<String> lines = crasherText.lines();

    assertEquals("crasher 0.1.0-SNAPSHOT: RUNNING", lines.get(0), crasherText::toString);
    assertTrue(lines.get(1).matches(" +PID +ROLE +UPTIME +IN FLIGHT +CALLS +MEMORY"), crasherText::toString);
    assertTrue(lines.get(2).matches(" +" + pidOf(json) + " +SERVING +\\d+(ms|s) +0 +0 +\\d+\\.\\d MiB"), crasherText::toString);
    assertEquals("  restarts   1 (1 unplanned deaths on record)", lines.get(3));
    long deadPid = json.getLastDeath().getPid();
    assertTrue(
        lines.get(4).matches(
            "  last death EXITED at " + TIME + ": pid " + deadPid
                + " exited with code 7; last output: crasher: exiting with code 7 as asked"),
        crasherText::toString);
    assertTrue(lines.get(5).startsWith("  calls      1 started, 0 succeeded, 1 failed (UNAVAILABLE 1), 0 in flight"), crasherText::toString);
    assertTrue(lines.get(6).matches("  latency    p50 [\\d.]+ms, p90 [\\d.]+ms, p99 [\\d.]+ms, max [\\d.]+ms"), crasherText::toString);
    assertEquals("  functions  exit, halt, ping", lines.get(7));
  }

  @Test
  void status_ofAHealthyPlugin_countsItsCallsAndErrorsByCode_andHasNoLastDeath() {
    assertEquals(0, helloText.exitCode(), helloText::toString);
    String text = helloText.stdout();

    assertTrue(text.startsWith("hello 0.1.0-SNAPSHOT: RUNNING\n"), text);
    assertTrue(text.contains("\n  restarts   0\n"), text);
    assertFalse(text.contains("last death"), text);
    assertTrue(text.contains("\n  calls      2 started, 1 succeeded, 1 failed (UNKNOWN 1), 0 in flight\n"), text);
    assertTrue(text.contains("\n  latency    p50 "), text);
    assertTrue(text.contains("\n  functions  count, echo, fail, greet, pid, reject, shout, whoCalls\n"), text);
  }

  @Test
  void statusJson_holdsWhatTheTextShows_pidsUptimeMemoryRestartsDeathsCallsAndLatency() {
    PluginStatus crasher = parse(crasherJson.stdout(), PluginStatus.newBuilder()).build();

    assertEquals("RUNNING", crasher.getState());
    assertEquals(1, crasher.getProcessesCount());
    assertTrue(crasher.getProcesses(0).getPid() > 0);
    assertTrue(crasher.getProcesses(0).getUptimeMillis() > 0);
    assertTrue(crasher.getProcesses(0).getResidentBytes() > 1 << 20, crasher::toString);
    assertEquals(1, crasher.getRestartCount());
    assertEquals("EXITED", crasher.getLastDeath().getCause());
    assertEquals(7, crasher.getLastDeath().getExitCode());
    assertEquals(List.of("crasher: exiting with code 7 as asked"), crasher.getLastDeath().getLastOutputList());
    assertEquals(1, crasher.getCrashesCount());
    assertEquals(Map.of("UNAVAILABLE", 1L), crasher.getCalls().getFailedByCodeMap());
    assertEquals(2, helloStatus.getCalls().getStarted());
    assertEquals(1, helloStatus.getCalls().getSucceeded());
    assertEquals(Map.of("UNKNOWN", 1L), helloStatus.getCalls().getFailedByCodeMap());
    assertTrue(helloStatus.getCalls().getMaxMillis() > 0, helloStatus::toString);
  }

  // ---- invoke

  @Test
  void invoke_withAnArgument_printsTheFunctionsOutputAsIs() {
    assertEquals(0, greet.exitCode(), greet::toString);
    assertEquals("Hello, World!", greet.stdout());
    assertEquals("", greet.stderr());
  }

  @Test
  void invoke_withAnInputFile_sendsItsBytes() throws Exception {
    byte[] input = "line one\nzwei: \u00fc\u00df\n\ttab\n".getBytes(StandardCharsets.UTF_8);
    Path file = Files.write(tempDir.resolve("input.bin"), input);

    Cli.Run echo = server.cli("invoke", "hello", "echo", "--input-file", file.toString());

    assertEquals(0, echo.exitCode(), echo::toString);
    assertEquals(new String(input, StandardCharsets.UTF_8), echo.stdout());
  }

  @Test
  void invoke_withStdin_sendsWhatItReads() throws Exception {
    byte[] input = "from a pipe\nsecond line".getBytes(StandardCharsets.UTF_8);

    Cli.Run echo = server.cliWithInput(input, "invoke", "hello", "echo", "--stdin");

    assertEquals(0, echo.exitCode(), echo::toString);
    assertEquals("from a pipe\nsecond line", echo.stdout());
  }

  @Test
  void invoke_whenThePluginThrows_exitsOne_withTheTypedErrorItsCodeAndPid() {
    assertEquals(1, fail.exitCode(), fail::toString);
    assertEquals("", fail.stdout());
    assertEquals(
        "pluginhost invoke: UNKNOWN: plugin hello (pid " + pidOf(helloStatus)
            + "): function 'fail' threw java.lang.IllegalStateException: boom\n",
        fail.stderr());
  }

  @Test
  void invoke_whenThePluginRejectsTheInput_exitsOne_withInvalidArgument() throws Exception {
    Cli.Run reject = server.cli("invoke", "hello", "reject", "Bob");

    assertEquals(1, reject.exitCode(), reject::toString);
    assertTrue(
        reject.stderr().matches(
            "pluginhost invoke: INVALID_ARGUMENT: plugin hello \\(pid \\d+\\): function 'reject' threw "
                + "java.lang.IllegalArgumentException: cannot greet 'Bob'\n"),
        reject::toString);
  }

  @Test
  void invoke_whenThePluginDiesDuringTheCall_exitsOne_sayingHowItDied() {
    assertEquals(1, crash.exitCode(), crash::toString);
    assertTrue(
        crash.stderr().matches(
            "pluginhost invoke: UNAVAILABLE: plugin crasher \\(pid \\d+\\) died during the call: exited with code 7; "
                + "last output: crasher: exiting with code 7 as asked; it is being restarted\n"),
        crash::toString);
  }

  // ---- logs

  @Test
  void logs_withN_printsThatManyOfTheMostRecentLines_withTimePidAndStream() throws Exception {
    Cli.Run one = server.cli("logs", "hello", "-n", "1");
    Cli.Run all = server.cli("logs", "hello", "-n", "1000");

    assertEquals(0, one.exitCode(), one::toString);
    assertEquals(1, one.lines().size(), one::toString);
    assertEquals(all.lines().get(all.lines().size() - 1), one.lines().get(0));
    String prefix = TIME + "  pid " + pidOf(helloStatus) + " stderr  ";
    assertTrue(all.lines().stream().anyMatch(l -> l.matches(prefix + "INFO hello is ready to greet with 'Hello'")), all::toString);
    assertTrue(all.lines().stream().anyMatch(l -> l.matches(prefix + "java.lang.IllegalStateException: boom")), all::toString);
  }

  @Test
  void logsFollow_printsALineThePluginWritesAfterItStarted() throws Exception {
    try (RunningServer.Following logs = server.follow("logs", "hello", "-f", "-n", "1")) {
      // The one recent line shows the stream is open; what comes after it is live.
      logs.awaitFirstLineThenSkipSeen(EVENT_WITHIN);

      Cli.Run fail = server.cli("invoke", "hello", "fail", "written-while-followed");

      assertEquals(1, fail.exitCode(), fail::toString);
      String line =
          logs.awaitLine(
              l -> l.matches(TIME + "  pid \\d+ stderr  java.lang.IllegalStateException: written-while-followed"),
              "with the new error", EVENT_WITHIN);
      assertTrue(line.contains("pid " + pidOf(helloStatus) + " "), line);
      assertTrue(logs.process().isAlive(), "logs -f ended by itself");
    }
  }

  // ---- events

  @Test
  void events_withN_printsThatManyRecentEvents_andForOnePluginOnlyItsOwn() throws Exception {
    Cli.Run two = server.cli("events", "-n", "2");
    Cli.Run crasher = server.cli("events", "crasher", "-n", "100");

    assertEquals(0, two.exitCode(), two::toString);
    assertEquals(2, two.lines().size(), two::toString);
    Pattern event = Pattern.compile(TIME + "  (crasher|hello)  [A-Z]+ -> [A-Z]+  .+");
    two.lines().forEach(line -> assertTrue(event.matcher(line).matches(), line));
    assertTrue(crasher.lines().stream().allMatch(line -> line.contains("  crasher  ")), crasher::toString);
    assertTrue(
        crasher.lines().stream().anyMatch(line -> line.matches(
            TIME + "  crasher  RUNNING -> RESTARTING  pid \\d+ exited with code 7; last output: crasher: exiting with code 7 as asked; restarting in \\d+ ms")),
        crasher::toString);
  }

  @Test
  void eventsFollow_showsARestartAsItHappens() throws Exception {
    try (RunningServer.Following events = server.follow("events", "-f", "-n", "1")) {
      events.awaitFirstLineThenSkipSeen(EVENT_WITHIN);

      Cli.Run restart = server.cli("restart", "crasher", "--wait");

      assertEquals(0, restart.exitCode(), restart::toString);
      long newPid = pidOf(parse(server.cli("status", "crasher", "--json").stdout(), PluginStatus.newBuilder()).build());
      events.awaitLine(
          line -> line.matches(TIME + "  crasher  RUNNING -> RUNNING  pid " + newPid + " joined the pool"),
          "with crasher's new process " + newPid, EVENT_WITHIN);
      assertTrue(events.process().isAlive(), "events -f ended by itself");
    }
  }

  // ---- metrics

  @Test
  void metrics_isPrometheusText_withEveryMetricAndAPluginLabel() {
    assertEquals(0, metrics.exitCode(), metrics::toString);
    Pattern sample = Pattern.compile("([a-z_]+)\\{([^}]*)} (\\S+)");
    for (String line : metrics.lines()) {
      if (!line.startsWith("# HELP ") && !line.startsWith("# TYPE ")) {
        Matcher m = sample.matcher(line);
        assertTrue(m.matches(), line);
        assertTrue(m.group(2).contains("plugin=\"crasher\"") || m.group(2).contains("plugin=\"hello\""), line);
        Double.parseDouble(m.group(3));
      }
    }
    for (String name : List.of(
        "pluginhost_call_duration_seconds", "pluginhost_calls_total", "pluginhost_calls_in_flight", "pluginhost_plugin_processes",
        "pluginhost_plugin_restarts_total", "pluginhost_plugin_state", "pluginhost_plugin_up",
        "pluginhost_process_resident_memory_bytes")) {
      assertTrue(metrics.stdout().contains("\n# TYPE " + name + " "), name);
    }
    List<String> lines = metrics.lines();
    assertTrue(lines.contains("pluginhost_plugin_up{plugin=\"hello\"} 1.0"), metrics::toString);
    assertTrue(lines.contains("pluginhost_calls_total{outcome=\"OK\",plugin=\"hello\"} 1.0"), metrics::toString);
    assertTrue(lines.contains("pluginhost_calls_total{outcome=\"UNKNOWN\",plugin=\"hello\"} 1.0"), metrics::toString);
    assertTrue(lines.contains("pluginhost_calls_total{outcome=\"UNAVAILABLE\",plugin=\"crasher\"} 1.0"), metrics::toString);
    assertTrue(lines.contains("pluginhost_plugin_restarts_total{plugin=\"crasher\"} 1.0"), metrics::toString);
    assertTrue(lines.contains("pluginhost_plugin_state{plugin=\"hello\",state=\"RUNNING\"} 1.0"), metrics::toString);
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith(
            "pluginhost_process_resident_memory_bytes{pid=\"" + pidOf(helloStatus) + "\",plugin=\"hello\",role=\"SERVING\"} ")),
        metrics::toString);
  }

  // ---- errors

  @Test
  void anyCommand_forAnUnknownPlugin_exitsOne_namingThePluginsThereAre() throws Exception {
    for (List<String> command : List.of(
        List.of("status", "nope"), List.of("invoke", "nope", "greet", "x"), List.of("logs", "nope"), List.of("stop", "nope", "--wait"))) {
      Cli.Run run = server.cli(command.toArray(String[]::new));

      assertEquals(1, run.exitCode(), run::toString);
      assertEquals("", run.stdout(), run::toString);
      assertEquals(
          "pluginhost " + command.get(0) + ": NOT_FOUND: no plugin 'nope' on this host; its plugins are crasher, hello\n",
          run.stderr());
    }
  }

  @Test
  void invoke_ofAnUnknownFunction_exitsOne_namingTheFunctionsThereAre() throws Exception {
    Cli.Run run = server.cli("invoke", "hello", "nosuch");

    assertEquals(1, run.exitCode(), run::toString);
    assertTrue(
        run.stderr().matches(
            "pluginhost invoke: UNIMPLEMENTED: plugin hello \\(pid \\d+\\): no function 'nosuch'; this plugin has: "
                + "count, echo, fail, greet, pid, reject, shout, whoCalls\n"),
        run::toString);
  }

  @Test
  void badUsage_exitsTwo_sayingWhatIsWrong_andShowingUsage() throws Exception {
    Map<List<String>, String> cases =
        Map.of(
            List.of("status"), "Missing required parameter: 'ID'",
            List.of("list", "--no-such-option"), "Unknown option: '--no-such-option'",
            List.of("list", "--timeout", "soon"), "Invalid value for option '--timeout': 'soon' is not a duration",
            List.of("invoke", "hello", "echo", "x", "--stdin"), "give the input one way: INPUT, --input-file or --stdin");
    for (Map.Entry<List<String>, String> c : cases.entrySet()) {
      Cli.Run run = server.cli(c.getKey().toArray(String[]::new));

      assertEquals(2, run.exitCode(), run::toString);
      assertTrue(run.stderr().startsWith(c.getValue()), run::toString);
      assertTrue(run.stderr().contains("\nUsage: pluginhost " + c.getKey().get(0) + " "), run::toString);
      assertEquals("", run.stdout(), run::toString);
    }
  }

  @Test
  void anyCommand_withNoServerRunning_exitsOne_withAPlainMessage() throws Exception {
    Path nowhere = Files.createDirectories(tempDir.resolve("no-server-here"));
    String hint = " (start one with `pluginhost serve`, or say where it is with --admin)\n";

    Cli.Run byDefault = Cli.run(nowhere, "list");
    Cli.Run bySocket = Cli.run(nowhere, "status", "hello", "--admin", nowhere.resolve("elsewhere.sock").toString());
    Cli.Run byTcp =
        Cli.run(nowhere, "list", "--admin", "tcp://127.0.0.1:" + freeLoopbackPort(), "--token-file",
            server.directory().resolve("data/admin.token").toString());

    assertEquals(1, byDefault.exitCode(), byDefault::toString);
    assertEquals("pluginhost list: no server is running at " + nowhere.resolve("data/admin.sock") + hint, byDefault.stderr());
    assertEquals("", byDefault.stdout());
    assertEquals(1, bySocket.exitCode(), bySocket::toString);
    assertEquals("pluginhost status: no server is running at " + nowhere.resolve("elsewhere.sock") + hint, bySocket.stderr());
    assertEquals(1, byTcp.exitCode(), byTcp::toString);
    assertTrue(byTcp.stderr().matches("pluginhost list: no server is running at tcp://127\\.0\\.0\\.1:\\d+ .*\n"), byTcp::toString);
  }

  // ---- the admin API over TCP

  @Test
  void adminOverTcp_withTheToken_servesTheSameApi() throws Exception {
    Path token = server.directory().resolve("data/admin.token");

    Cli.Run run = server.cli("list", "--json", "--admin", "tcp://127.0.0.1:" + tcpPort, "--token-file", token.toString());

    assertEquals(0, run.exitCode(), run::toString);
    ListPluginsResponse response = parse(run.stdout(), ListPluginsResponse.newBuilder()).build();
    assertEquals(List.of("crasher", "hello"), response.getPluginsList().stream().map(PluginStatus::getId).toList());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(token)));
    assertTrue(server.readyLine().endsWith(", admin TCP 127.0.0.1:" + tcpPort), server.readyLine());
  }

  @Test
  void adminOverTcp_withAWrongToken_exitsOne_unauthenticated() throws Exception {
    Path wrong = Files.writeString(tempDir.resolve("wrong.token"), "0123456789abcdef\n");

    Cli.Run run = server.cli("list", "--admin", "tcp://127.0.0.1:" + tcpPort, "--token-file", wrong.toString());

    assertEquals(1, run.exitCode(), run::toString);
    assertEquals(
        "pluginhost list: UNAUTHENTICATED: the admin API over TCP needs the server's admin token (authorization: Bearer <token>)\n",
        run.stderr());
  }

  @Test
  void adminOverTcp_aCallWithNoToken_failsUnauthenticated() throws Exception {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", tcpPort).usePlaintext().build();
    try {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> PluginAdminGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                  .listPlugins(ListPluginsRequest.getDefaultInstance()));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), e::toString);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  // ---- helpers

  private static <B extends com.google.protobuf.Message.Builder> B parse(String json, B builder) {
    try {
      JsonFormat.parser().merge(json, builder);
      return builder;
    } catch (IOException e) {
      throw new AssertionError("not the JSON of a " + builder.getDescriptorForType().getName() + ": " + json, e);
    }
  }

  private static long pidOf(PluginStatus status) {
    assertEquals(1, status.getProcessesCount(), status::toString);
    return status.getProcesses(0).getPid();
  }

  static int freeLoopbackPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
