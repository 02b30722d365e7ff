package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class IsolationReportTest {
  private static final Protection SANDBOX = new Protection("sandbox", Status.YES, true, "bwrap");
  private static final Protection HIDEPID = new Protection("hidepid", Status.NO, false, "no hidepid");
  private static final Protection MEMORY = new Protection("memory-cgroup", Status.PARTIAL, true, "swap");
  private static final Protection PIDS = new Protection("pids-cgroup", Status.NO, true, "v2 only");

  @Test
  void ok_whenEveryUsedProtectionIsYes_evenIfAnUnusedOneIsNo() {
    IsolationReport report = new IsolationReport(List.of(SANDBOX, HIDEPID));

    assertTrue(report.ok());
    assertEquals(List.of(), report.missing());
  }

  @Test
  void missing_listsUsedProtectionsThatAreNoOrPartial_inReportOrder() {
    IsolationReport report = new IsolationReport(List.of(SANDBOX, HIDEPID, MEMORY, PIDS));

    assertFalse(report.ok());
    assertEquals(List.of(MEMORY, PIDS), report.missing());
  }

  @Test
  void get_findsARowByName_orNullForAnUnknownName() {
    IsolationReport report = new IsolationReport(List.of(SANDBOX, HIDEPID));

    assertEquals(HIDEPID, report.get("hidepid"));
    assertNull(report.get("nothing"));
  }

  @Test
  void status_labelsAreTheLowerCaseWordsThePrintoutUses() {
    assertEquals(List.of("yes", "partial", "no"), List.of(Status.YES.label(), Status.PARTIAL.label(), Status.NO.label()));
  }
}
