package dev.pluginhost.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pluginhost.host.internal.doctor.IsolationReport;
import dev.pluginhost.host.internal.doctor.Protection;
import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTableTest {
  private static final Protection SANDBOX = new Protection("sandbox", Status.YES, true, "bubblewrap /usr/bin/bwrap");
  private static final Protection HIDEPID = new Protection("hidepid", Status.NO, false, "/proc has no hidepid");
  private static final Protection MEMORY = new Protection("memory-cgroup", Status.PARTIAL, true, "swap is not covered");

  @Test
  void format_alignsColumns_marksUsedRows_andEndsWithTheVerdict() {
    String table = ReportTable.format(new IsolationReport(List.of(SANDBOX, HIDEPID)));

    assertEquals(
        "PROTECTION  STATUS  DETAIL\n"
            + "sandbox *   yes     bubblewrap /usr/bin/bwrap\n"
            + "hidepid     no      /proc has no hidepid\n"
            + "\n"
            + "* used by the default settings\n"
            + "OK: every protection the default settings use is available\n",
        table);
  }

  @Test
  void format_widensTheStatusColumnForPartial() {
    String[] lines = ReportTable.format(new IsolationReport(List.of(SANDBOX, MEMORY))).split("\n");

    assertEquals("memory-cgroup *  partial  swap is not covered", lines[2]);
    assertEquals(lines[0].indexOf("DETAIL"), lines[1].indexOf("bubblewrap"));
  }

  @Test
  void verdict_namesEachMissingUsedProtectionWithItsStatus_andNotUnusedOnes() {
    Protection pids = new Protection("pids-cgroup", Status.NO, true, "v2 only");

    String verdict = ReportTable.verdict(new IsolationReport(List.of(SANDBOX, HIDEPID, MEMORY, pids)));

    assertEquals(
        "MISSING: memory-cgroup (partial), pids-cgroup (no); plugins get less isolation than the default settings ask for",
        verdict);
  }
}
