package dev.pluginhost.samples.sqlpool;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.security.CodeSource;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * multiprocessing's {@code Pool(initializer=...)} with a database. In Python:
 *
 * <pre>
 * def init(url):
 *     global conn
 *     conn = connect(url)          # once per worker process
 *
 * def execute(sql):
 *     return conn.execute(sql).fetchall(), os.getpid()
 *
 * with Pool(4, initializer=init, initargs=(url,)) as pool:
 *     results = pool.map(execute, statements)
 * </pre>
 *
 * <p>Here {@link #start} is the initializer: it runs once in each process of the pool, before any
 * call, and opens that process's own JDBC connection from the configuration the host passed
 * ({@code jdbc-url}, and {@code init-sql} to seed it). The plugin bundles its own JDBC driver and
 * database (H2, in the plugin folder's {@code lib/}); the host has neither.
 *
 * <p>With an in-memory URL ({@code jdbc:h2:mem:...}, as in the tests) every process has a private
 * database seeded from the same script, like a {@code sqlite3.connect(":memory:")} per worker:
 * good for read-mostly reference data, and a write stays in the process that made it. For shared,
 * durable data, point {@code jdbc-url} at a database server, put its driver in {@code lib/}
 * instead, and grant the plugin {@code network}: the code stays the same.
 *
 * <p>Configuration: {@code jdbc-url} (required), {@code user} and {@code password} (default
 * {@code sa} and empty), {@code init-sql} (statements separated by {@code ;}, run once per
 * process; none by default; a {@code ;} inside quotes, {@code 'a;b'} or {@code "A;B"}, separates
 * nothing, but one in a comment does: write none there), {@code max-rows} (how many rows of a query's answer to send, default
 * 1000).
 */
public final class SqlPoolPlugin implements Plugin {
  /**
   * Names this process in results, like {@code os.getpid()} in a Python worker. Inside the host's
   * sandbox every plugin JVM is pid 2 of its own PID namespace, so a random suffix tells a pool's
   * processes apart: {@code 2-3f9a1c}.
   */
  private static final String PID =
      ProcessHandle.current().pid() + "-" + String.format("%06x", new SecureRandom().nextInt(1 << 24));

  /** This process's connection: the initializer's global. Used by one statement at a time. */
  private Connection connection;
  /** Whose turn it is on {@link #connection}. */
  private final ReentrantLock turn = new ReentrantLock();
  /** The most rows a query's answer lists. */
  private int maxRows;

  @Override
  public void start(PluginContext context) throws Exception {
    String rows = context.config().getOrDefault("max-rows", "1000");
    try {
      maxRows = Integer.parseInt(rows);
    } catch (NumberFormatException e) {
      maxRows = 0;
    }
    if (maxRows < 1 || maxRows == Integer.MAX_VALUE) {
      throw new IllegalArgumentException("max-rows must be a whole number from 1 to " + (Integer.MAX_VALUE - 1) + ", got '" + rows + "'");
    }
    // DriverManager finds H2 through its META-INF/services entry in lib/h2-*.jar: the runner makes
    // the plugin's class loader the thread's context class loader for start and for every call.
    Connection opened =
        DriverManager.getConnection(
            context.requireConfig("jdbc-url"),
            context.config().getOrDefault("user", "sa"),
            context.config().getOrDefault("password", ""));
    try (Statement statement = opened.createStatement()) {
      for (String sql : statements(context.config().getOrDefault("init-sql", ""))) {
        statement.execute(sql);
      }
    } catch (SQLException | RuntimeException e) {
      // A start that fails leaves no plugin to close the connection in stop(): close it here, or a
      // database server keeps the session (and an in-memory database its data) for as long as the
      // JVM lives.
      try {
        opened.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
    connection = opened;
    context.logger().log(System.Logger.Level.INFO, "pid " + PID + " connected to " + connection.getMetaData().getURL());

    context.registerText("execute", this::execute);
    // Not part of the pattern: shows where a class comes from as the plugin sees it, to prove its
    // libraries live apart from the host's.
    context.registerText("whereIs", (call, className) -> whereIs(className.trim()));
  }

  /**
   * The statements of a script, split at each {@code ;} outside quotes: a string literal ({@code
   * 'it''s; here'}, a quote inside doubled) or a quoted name ({@code "A;B"}). Blank ones are
   * dropped. Comments are not understood, so a quote or {@code ;} in one counts.
   */
  private static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder statement = new StringBuilder();
    char quote = 0;
    for (char c : script.toCharArray()) {
      if (quote != 0) {
        // A doubled quote closes and reopens at once, so it needs no case of its own.
        if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == ';') {
        addUnlessBlank(statements, statement.toString());
        statement.setLength(0);
        continue;
      }
      statement.append(c);
    }
    addUnlessBlank(statements, statement.toString());
    return statements;
  }

  private static void addUnlessBlank(List<String> statements, String statement) {
    if (!statement.isBlank()) {
      statements.add(statement);
    }
  }

  /**
   * Runs one SQL statement and returns, line by line: {@code pid PID}, then for a query its
   * column labels and one line per row (values separated by {@code " | "}), or for anything else
   * {@code updated N}. A query's answer lists at most {@code max-rows} rows; if there were more,
   * a last line says so: {@code (more rows; only the first 1000 are listed: max-rows)}.
   */
  private String execute(CallContext call, String sql) throws SQLException, InterruptedException {
    // A Python worker runs one task at a time; a process here serves several calls at once
    // (maxConcurrentCallsPerProcess), so calls take turns on the one connection, each waiting no
    // longer than its caller does: a call that waited on past its deadline would be killed with
    // its process as hung. Give the plugin maxConcurrentCallsPerProcess(1) and none waits here.
    if (!turn.tryLock(call.remaining().toNanos(), TimeUnit.NANOSECONDS)) {
      throw new CallCancelledException("the call's deadline passed while it waited for this process's connection");
    }
    try {
      // Its caller may have given up while it waited: then it must not run at all (an UPDATE
      // applied after the caller was told it failed).
      if (call.isCancelled()) {
        throw new CallCancelledException("the call was cancelled while it waited for this process's connection");
      }
      try (Statement statement = connection.createStatement()) {
        // Stop the statement in the database when the caller stops waiting (it cancels, or its
        // deadline passes), rather than let it run on with the connection. The query timeout is
        // the database's own backstop, in whole seconds rounded up: it also stops a statement
        // whose cancel came before it began to execute, which a driver may ignore.
        call.onCancel(() -> cancelQuietly(statement));
        statement.setQueryTimeout(wholeSecondsUpTo(call.remaining()));
        // One row more than is listed tells whether there were more, without fetching them all:
        // a whole table in one answer could pass the host's message limit, or this JVM's heap.
        statement.setMaxRows(maxRows + 1);
        List<String> lines = new ArrayList<>();
        lines.add("pid " + PID);
        if (statement.execute(sql)) {
          try (ResultSet rows = statement.getResultSet()) {
            ResultSetMetaData columns = rows.getMetaData();
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= columns.getColumnCount(); i++) {
              values.add(columns.getColumnLabel(i));
            }
            lines.add(String.join(" | ", values));
            int listed = 0;
            while (rows.next()) {
              if (listed == maxRows) {
                lines.add("(more rows; only the first " + maxRows + " are listed: max-rows)");
                break;
              }
              values.clear();
              for (int i = 1; i <= columns.getColumnCount(); i++) {
                values.add(String.valueOf(rows.getObject(i)));
              }
              lines.add(String.join(" | ", values));
              listed++;
            }
          }
        } else {
          lines.add("updated " + statement.getUpdateCount());
        }
        return String.join("\n", lines);
      } catch (SQLException e) {
        if (call.isCancelled()) {
          throw new CallCancelledException("the statement was stopped: its call was cancelled (" + e.getMessage() + ")");
        }
        // SQL states of class 42 (syntax error, no such table or column), 22 (bad data) and 23
        // (constraint violated) mean the statement is wrong: INVALID_ARGUMENT for the caller.
        // Anything else (the connection broke) is the plugin's failure: UNKNOWN.
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("42") || state.startsWith("22") || state.startsWith("23")) {
          throw new IllegalArgumentException("bad statement (SQL state " + state + "): " + e.getMessage(), e);
        }
        throw e;
      }
    } finally {
      turn.unlock();
    }
  }

  /**
   * A JDBC query timeout for {@code remaining}: whole seconds rounded up, so never shorter than the
   * time left, and at least 1 (0 would mean none).
   */
  private static int wholeSecondsUpTo(Duration remaining) {
    long millis = Math.max(1, remaining.toMillis());
    return (int) Math.min(Integer.MAX_VALUE, (millis + 999) / 1000);
  }

  /** Stops a statement running in the database; one that has ended already is left as it is. */
  private static void cancelQuietly(Statement statement) {
    try {
      statement.cancel();
    } catch (SQLException e) {
      // Closed already: it ran to its end, so there is nothing to stop.
    }
  }

  /**
   * Where {@code className} loads from in this plugin: a jar's URL ({@code file:...}), a JDK module
   * ({@code jrt:/java.sql}), "the JDK" for its core classes, or "not visible".
   */
  private static String whereIs(String className) {
    try {
      Class<?> type = Class.forName(className, false, SqlPoolPlugin.class.getClassLoader());
      CodeSource source = type.getProtectionDomain().getCodeSource();
      return source == null ? "the JDK" : source.getLocation().toString();
    } catch (ClassNotFoundException | LinkageError e) {
      return "not visible";
    }
  }

  @Override
  public void stop() throws SQLException {
    turn.lock();
    try {
      connection.close();
    } finally {
      turn.unlock();
    }
  }
}
