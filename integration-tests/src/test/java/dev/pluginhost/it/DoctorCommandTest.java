package dev.pluginhost.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.spawn.Cgroups;
import dev.pluginhost.host.internal.spawn.Sandbox;
import dev.pluginhost.it.support.Launcher;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar pluginhost.jar doctor} as an operator runs it. Nothing here assumes this
 * machine has every protection: each row is checked against what the host's own probes find.
 */
class DoctorCommandTest {
  private static final List<String> ROWS =
      List.of("sandbox", "hidepid", "prlimit", "rlimit-nproc", "pids-cgroup", "memory-cgroup", "jvm-limits", "epoll",
          "socket-dir", "jdk");
  private static final Pattern JSON_ROW =
      Pattern.compile("\\{\"name\": \"([a-z-]+)\", \"status\": \"(yes|partial|no)\", \"used\": (true|false), \"detail\": \"(.*)\"}");

  private static Launcher.Run table;
  private static Map<String, String[]> tableRows;
  private static Launcher.Run json;

  @BeforeAll
  static void runDoctorTwice() throws Exception {
    table = Launcher.run("doctor");
    tableRows = new LinkedHashMap<>();
    // Each row: name (with " *" if used), status, detail, separated by two or more spaces.
    table.lines().stream().skip(1).takeWhile(line -> !line.isEmpty())
        .forEach(line -> {
          String[] columns = line.split(" {2,}", 3);
          tableRows.put(columns[0].replace(" *", ""), columns);
        });
    json = Launcher.run("doctor", "--json");
  }

  @Test
  void doctor_printsAHeaderAndOneRowPerProtection_inOrder() {
    assertTrue(table.lines().get(0).matches("PROTECTION +STATUS +DETAIL"), table.stdout());
    assertEquals(ROWS, List.copyOf(tableRows.keySet()), table.stdout());
    tableRows.values().forEach(columns -> {
      assertEquals(3, columns.length, String.join("|", columns));
      assertTrue(List.of("yes", "partial", "no").contains(columns[1]), String.join("|", columns));
    });
  }

  @Test
  void doctor_columnsAreAligned() {
    List<String> lines = table.lines();
    int detail = lines.get(0).indexOf("DETAIL");
    for (String line : lines.subList(1, 1 + ROWS.size())) {
      assertEquals(' ', line.charAt(detail - 1), line);
      assertTrue(line.charAt(detail) != ' ', line);
    }
  }

  @Test
  void doctor_exitsZeroExactlyWhenTheLastLineSaysOk_elseOneNamingWhatIsMissing() {
    List<String> lines = table.lines();
    String last = lines.get(lines.size() - 1);
    if (table.exitCode() == 0) {
      assertTrue(last.startsWith("OK: "), last);
    } else {
      assertEquals(1, table.exitCode(), table.stdout() + table.stderr());
      assertTrue(last.startsWith("MISSING: "), last);
      tableRows.values().stream()
          .filter(columns -> columns[0].endsWith(" *") && !columns[1].equals("yes"))
          .forEach(columns -> assertTrue(last.contains(columns[0].replace(" *", "") + " (" + columns[1] + ")"), last));
    }
  }

  @Test
  void doctor_sandboxRow_agreesWithTheHostsOwnProbe() {
    Sandbox.Availability probe = Sandbox.probe();
    String[] row = tableRows.get("sandbox");

    if (probe.available()) {
      assertTrue(List.of("yes", "partial").contains(row[1]), String.join("|", row));
      assertTrue(row[2].startsWith("bubblewrap " + probe.sandbox().executable()), row[2]);
    } else {
      assertEquals("no", row[1]);
      assertTrue(row[2].startsWith(probe.problem()), row[2]);
    }
  }

  @Test
  void doctor_cgroupRows_agreeWithTheHostsOwnProbe() {
    Cgroups cgroups = Cgroups.probe();
    boolean pids = cgroups != null && cgroups.pidsBase() != null;
    boolean memory = cgroups != null && cgroups.memoryBase() != null;

    assertEquals(pids ? "yes" : "no", tableRows.get("pids-cgroup")[1]);
    assertEquals(memory, !tableRows.get("memory-cgroup")[1].equals("no"));
    if (pids) {
      assertTrue(tableRows.get("pids-cgroup")[2].contains("cgroup v1: a group per plugin under " + cgroups.pidsBase()));
    }
  }

  @Test
  void doctorJson_hasTheSameRowsAndStatuses_andOkAgreesWithTheExitCode() {
    Matcher rows = JSON_ROW.matcher(json.stdout());
    Map<String, String> statuses = new LinkedHashMap<>();
    while (rows.find()) {
      statuses.put(rows.group(1), rows.group(2));
    }
    assertEquals(ROWS, List.copyOf(statuses.keySet()), json.stdout());
    tableRows.forEach((name, columns) -> assertEquals(columns[1], statuses.get(name), name));

    assertTrue(json.stdout().startsWith("{\n  \"ok\": " + (json.exitCode() == 0) + ",\n"), json.stdout());
    assertEquals(table.exitCode(), json.exitCode());
    assertTrue(json.stdout().endsWith("}\n"), json.stdout());
  }

  @Test
  void doctorJson_missing_listsTheUsedRowsThatAreNotYes() {
    Matcher rows = JSON_ROW.matcher(json.stdout());
    StringBuilder expected = new StringBuilder();
    while (rows.find()) {
      if (rows.group(3).equals("true") && !rows.group(2).equals("yes")) {
        expected.append(expected.length() == 0 ? "" : ", ").append('"').append(rows.group(1)).append('"');
      }
    }
    assertTrue(json.stdout().contains("\"missing\": [" + expected + "]\n"), json.stdout());
  }

  @Test
  void doctorHelp_exitsZero_andListsTheExitCodes() throws Exception {
    Launcher.Run help = Launcher.run("doctor", "--help");

    assertEquals(0, help.exitCode(), help.stderr());
    assertTrue(help.stdout().startsWith("Usage: pluginhost doctor"), help.stdout());
    assertTrue(help.stdout().contains("--json"), help.stdout());
    assertTrue(help.stdout().contains("Exit codes:"), help.stdout());
  }

  @Test
  void doctor_withAnUnknownOption_exitsTwo_andSaysWhy() throws Exception {
    Launcher.Run wrong = Launcher.run("doctor", "--no-such-option");

    assertEquals(2, wrong.exitCode());
    assertTrue(wrong.stderr().startsWith("Unknown option: '--no-such-option'"), wrong.stderr());
  }
}
