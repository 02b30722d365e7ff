package dev.pluginhost.it.patterns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.Grants;
import dev.pluginhost.host.MapOptions;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.ProcessInfo;
import dev.pluginhost.it.support.RunningHost;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sql-pool sample: multiprocessing's {@code Pool(initializer=...)} with a database. Each of
 * four processes opens its own H2 connection in its start hook, from the configuration the host
 * passes, and the host maps SQL statements across them.
 */
class SqlPoolTest {
  private static final Duration TIMEOUT = Duration.ofMinutes(2);
  /** What every process's initializer runs on its own, private in-memory database. */
  private static final String SEED =
      "CREATE TABLE squares(n INT PRIMARY KEY, square BIGINT);\n"
          + "INSERT INTO squares SELECT X, X * X FROM SYSTEM_RANGE(1, 1000);";

  @TempDir Path tempDir;

  private RunningHost startPool(int processes) throws Exception {
    return startPool(processes, s -> s);
  }

  /** A pool as {@link #startPool(int)} starts it, with {@code more} settings on top. */
  private RunningHost startPool(int processes, UnaryOperator<PluginSettings.Builder> more) throws Exception {
    return RunningHost.start(
        tempDir,
        b ->
            b.plugin(
                "sql-pool",
                s ->
                    more.apply(
                        s.processes(processes)
                            // One statement at a time per process, as a Python worker takes one
                            // task at a time: the rest wait in the host's queue for the first free
                            // process.
                            .maxConcurrentCallsPerProcess(1)
                            .config("jdbc-url", "jdbc:h2:mem:pool")
                            .config("init-sql", SEED))),
        "sql-pool");
  }

  /**
   * A table read from a CSV at {@code url}: H2 reads it over HTTP, so a statement that reads it
   * announces on the test's server that it runs, and waits there while the test holds the answer
   * (one column N, one row 1). The pool needs the grant {@code network} to reach the server.
   */
  private static String csvAt(String url) {
    return "CSVREAD('" + url + "')";
  }

  private static List<byte[]> utf8(List<String> texts) {
    List<byte[]> bytes = new ArrayList<>();
    texts.forEach(t -> bytes.add(t.getBytes(StandardCharsets.UTF_8)));
    return bytes;
  }

  @Test
  void map_runsEveryStatementOnAProcessWithItsOwnConnection_inOrder_acrossAllFourProcesses() throws Exception {
    try (RunningHost running = startPool(4)) {
      PluginHandle pool = running.plugin("sql-pool");
      // The host's start waits for each of the pool's first processes, so all four serve now.
      assertEquals(
          4, pool.processes().stream().filter(p -> p.role() == ProcessInfo.Role.SERVING).count(), pool.processes().toString());
      List<String> statements = new ArrayList<>();
      for (int n = 1; n <= 400; n++) {
        statements.add("SELECT square FROM squares WHERE n = " + n);
      }

      // One statement a chunk, and at most one in flight per process: a process goes idle only
      // if each statement came back before the map sent the next, while the map keeps eight in
      // flight (its window) over the pool's four places.
      List<CallOutcome> outcomes = pool.map("execute", utf8(statements), MapOptions.timeout(TIMEOUT).chunkSize(1));

      Set<String> pids = new HashSet<>();
      for (int i = 0; i < outcomes.size(); i++) {
        String[] lines = outcomes.get(i).text().split("\n");
        long n = i + 1;
        assertEquals(List.of("SQUARE", Long.toString(n * n)), List.of(lines).subList(1, lines.length), statements.get(i));
        assertTrue(lines[0].matches("pid \\d+-[0-9a-f]{6}"), lines[0]);
        pids.add(lines[0]);
      }
      // Every process answered from a table its own initializer made.
      assertEquals(4, pids.size(), "all four processes took part: " + pids);
    }
  }

  @Test
  void map_aBadStatementFailsOnlyItsOwnItem_withTheDatabasesReason() throws Exception {
    try (RunningHost running = startPool(2)) {
      List<String> statements =
          List.of(
              "SELECT n, square FROM squares WHERE n BETWEEN 2 AND 3 ORDER BY n",
              "SELECT * FROM no_such_table",
              "UPDATE squares SET square = n * n WHERE n <= 10",
              "SELEKT 1",
              "SELECT COUNT(*) AS total FROM squares");

      // Two statements a chunk: a bad one shares its call with a good one, and still fails alone.
      List<CallOutcome> outcomes =
          running.plugin("sql-pool").map("execute", utf8(statements), MapOptions.timeout(TIMEOUT).chunkSize(2));

      assertEquals(List.of("N | SQUARE", "2 | 4", "3 | 9"), rows(outcomes.get(0)));
      assertEquals(List.of("updated 10"), rows(outcomes.get(2)));
      assertEquals(List.of("TOTAL", "1000"), rows(outcomes.get(4)));
      for (int bad : new int[] {1, 3}) {
        PluginCallException error = outcomes.get(bad).error().orElseThrow();
        // The plugin says a statement the database refused is the caller's mistake.
        assertEquals(Status.Code.INVALID_ARGUMENT, error.code(), error.getMessage());
        assertTrue(error.getMessage().contains("bad statement (SQL state 42"), error.getMessage());
      }
      assertTrue(
          outcomes.get(1).error().orElseThrow().getMessage().contains("Table \"NO_SUCH_TABLE\" not found"),
          outcomes.get(1).error().orElseThrow().getMessage());
      assertTrue(outcomes.get(3).error().orElseThrow().getMessage().contains("SELEKT"), outcomes.get(3).toString());
    }
  }

  @Test
  void theDriverLoadsFromThePluginsOwnLib_andTheHostsLibrariesAreNotVisibleToIt() throws Exception {
    try (RunningHost running = startPool(1)) {
      PluginHandle pool = running.plugin("sql-pool");

      String h2 = pool.callText("whereIs", "org.h2.Driver", TIMEOUT);
      String grpc = pool.callText("whereIs", "io.grpc.Server", TIMEOUT);
      String guava = pool.callText("whereIs", "com.google.common.base.Preconditions", TIMEOUT);

      assertTrue(h2.endsWith("/sql-pool/lib/h2-2.3.232.jar"), h2);
      assertEquals("not visible", grpc, "the host's (and the runner's) gRPC");
      assertEquals("not visible", guava, "the host's (and the runner's) Guava");
      assertEquals("jrt:/java.sql", pool.callText("whereIs", "java.sql.DriverManager", TIMEOUT));
      // And the other way round: the host's JVM has gRPC and Guava, and no H2.
      Class.forName("io.grpc.Server");
      Class.forName("com.google.common.base.Preconditions");
      assertThrows(ClassNotFoundException.class, () -> Class.forName("org.h2.Driver"));
      assertFalse(System.getProperty("java.class.path").contains("/com/h2database/"), "no H2 on the test's class path");
    }
  }

  @Test
  void initSql_aSemicolonInsideQuotes_endsNoStatement() throws Exception {
    String notes =
        "CREATE TABLE notes(id INT, t VARCHAR(40), \"a;b\" INT);\n"
            + "INSERT INTO notes VALUES (1, 'one; two', 1), (2, 'it''s; three', 2);";
    try (RunningHost running = startPool(1, s -> s.config("init-sql", SEED + "\n" + notes))) {
      PluginHandle pool = running.plugin("sql-pool");

      String answer = pool.callText("execute", "SELECT t, \"a;b\" FROM notes ORDER BY id", TIMEOUT);

      assertEquals(List.of("T | a;b", "one; two | 1", "it's; three | 2"), rows(answer));
      assertEquals(List.of("TOTAL", "1000"), rows(pool.callText("execute", "SELECT COUNT(*) AS total FROM squares", TIMEOUT)));
    }
  }

  @Test
  void aQueryListsAtMostMaxRowsRows_andSaysWhenThereWereMore() throws Exception {
    try (RunningHost running = startPool(1, s -> s.config("max-rows", "100"))) {
      PluginHandle pool = running.plugin("sql-pool");
      List<String> hundred = new ArrayList<>(List.of("X"));
      for (int x = 1; x <= 100; x++) {
        hundred.add(Integer.toString(x));
      }

      List<String> exactly = rows(pool.callText("execute", "SELECT X FROM SYSTEM_RANGE(1, 100)", TIMEOUT));
      List<String> more = rows(pool.callText("execute", "SELECT X FROM SYSTEM_RANGE(1, 5000)", TIMEOUT));

      assertEquals(hundred, exactly);
      List<String> cut = new ArrayList<>(hundred);
      cut.add("(more rows; only the first 100 are listed: max-rows)");
      assertEquals(cut, more);
    }
  }

  @Test
  void aCallWhoseDeadlinePassesWhileItWaitsForTheConnection_givesUpThen_andItsStatementNeverRuns() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        // Two calls at once in one process: the second waits in the plugin for the connection.
        RunningHost running = startPool(1, s -> s.maxConcurrentCallsPerProcess(2).grant(Grants.NETWORK))) {
      PluginHandle pool = running.plugin("sql-pool");
      LoopbackWebServer.Held csv = server.held("/rows.csv", "N\n1\n".getBytes(StandardCharsets.UTF_8));
      ListenableFuture<byte[]> holding = pool.callAsync("execute", utf8("SELECT * FROM " + csvAt(server.url("/rows.csv"))), TIMEOUT);
      csv.awaitRequest(TIMEOUT);

      PluginCallException late =
          assertThrows(
              PluginCallException.class,
              () -> pool.callText("execute", "UPDATE squares SET square = -1 WHERE n = 1", Duration.ofSeconds(2)));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, late.code(), late.getMessage());
      csv.release();

      assertEquals(List.of("N", "1"), rows(new String(holding.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8)));
      // Had the UPDATE waited on, it would have run as soon as the connection came free, after
      // its caller was told it failed.
      assertEquals(List.of("SQUARE", "1"), rows(pool.callText("execute", "SELECT square FROM squares WHERE n = 1", TIMEOUT)));
      assertTrue(pool.deaths().isEmpty(), pool.deaths().toString());
    }
  }

  @Test
  void cancellingACall_stopsItsStatementInTheDatabase_andFreesTheConnectionForTheNext() throws Exception {
    try (LoopbackWebServer server = LoopbackWebServer.start();
        RunningHost running = startPool(1, s -> s.grant(Grants.NETWORK))) {
      PluginHandle pool = running.plugin("sql-pool");
      LoopbackWebServer.Held csv = server.held("/rows.csv", "N\n1\n".getBytes(StandardCharsets.UTF_8));
      // Sums more numbers than it could before the call's deadline (its query timeout too).
      String endless =
          "SELECT SUM(X) FROM SYSTEM_RANGE(1, 1000000000000000 + (SELECT COUNT(*) FROM "
              + csvAt(server.url("/rows.csv")) + "))";
      ListenableFuture<byte[]> sum = pool.callAsync("execute", utf8(endless), Duration.ofSeconds(50));
      // H2 reads the CSV once to parse the statement, then again once it executes: a cancel must
      // come after the parse, since JDBC cancels only what executes (the query timeout catches a
      // cancel lost so early, at the deadline).
      csv.awaitRequest(TIMEOUT);
      csv.release();
      csv.awaitRequests(2, TIMEOUT);

      sum.cancel(true);

      // The next statement gets the process's connection well within its 20 s, not when the sum
      // would have hit its 50 s query timeout.
      assertEquals(List.of("ONE", "1"), rows(pool.callText("execute", "SELECT 1 AS one", Duration.ofSeconds(20))));
      assertTrue(pool.deaths().isEmpty(), pool.deaths().toString());
    }
  }

  /** The lines of a successful statement's answer after its {@code pid} line. */
  private static List<String> rows(CallOutcome outcome) {
    return rows(outcome.text());
  }

  private static List<String> rows(String answer) {
    String[] lines = answer.split("\n");
    return List.of(lines).subList(1, lines.length);
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
