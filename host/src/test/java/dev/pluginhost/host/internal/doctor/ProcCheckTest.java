package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.doctor.Protection.Status;
import org.junit.jupiter.api.Test;

class ProcCheckTest {
  @Test
  void procWithoutHidepid_isNo_andNamesTheHostsEnvironment() {
    Protection row = ProcCheck.verdict("rw,relatime");

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("host's environment"), row.detail());
  }

  @Test
  void hidepidZero_countsAsNone() {
    assertEquals(Status.NO, ProcCheck.verdict("rw,nosuid,hidepid=0").status());
  }

  @Test
  void hidepidInvisible_isOnlyPartial_sinceAPluginIsTheHostsOwnUser() {
    Protection row = ProcCheck.verdict("rw,nosuid,nodev,noexec,relatime,hidepid=invisible");

    assertEquals(Status.PARTIAL, row.status());
    assertTrue(row.detail().startsWith("/proc has hidepid=invisible:"), row.detail());
  }

  @Test
  void unknownMount_isNo() {
    assertEquals(Status.NO, ProcCheck.verdict(null).status());
  }

  @Test
  void theRow_isNeverUsed_sinceTheHostReliesOnTheSandboxsOwnProc() {
    assertFalse(ProcCheck.verdict("rw").used());
    assertFalse(ProcCheck.verdict("rw,hidepid=2").used());
  }
}
