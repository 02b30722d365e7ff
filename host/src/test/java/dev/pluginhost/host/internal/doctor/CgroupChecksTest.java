package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.doctor.CgroupChecks.Found;
import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class CgroupChecksTest {
  private static final Path PIDS = Path.of("/sys/fs/cgroup/pids/host");
  private static final Path MEMORY = Path.of("/sys/fs/cgroup/memory/host");

  @Test
  void pids_whereTheHostCanMakeGroups_isYes_andSaysV1WhereAndTheLimit() {
    Protection row = CgroupChecks.pids(new Found(PIDS, PIDS, false, 0), 1024);

    assertEquals(Status.YES, row.status());
    assertTrue(row.used());
    assertEquals(
        "cgroup v1: a group per plugin under /sys/fs/cgroup/pids/host, pids.max 1024 (maxTasks): a thread or fork bomb stops there",
        row.detail());
  }

  @Test
  void pids_inAGroupTheUserCannotWrite_isNo_andSaysToChownIt() {
    Protection row = CgroupChecks.pids(new Found(null, PIDS, false, 1000), 1024);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().startsWith("cgroup v1 group /sys/fs/cgroup/pids/host is not writable by uid 1000"), row.detail());
    assertTrue(row.detail().contains("chown"), row.detail());
  }

  @Test
  void pids_onACgroupV2OnlyMachine_isNo_andSaysV2() {
    Protection row = CgroupChecks.pids(new Found(null, null, true, 0), 1024);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().startsWith("this machine has cgroup v2 only"), row.detail());
  }

  @Test
  void pids_withNoHierarchyMounted_isNo_andSaysHowToMountOne() {
    Protection row = CgroupChecks.pids(new Found(null, null, false, 0), 1024);

    assertTrue(row.detail().contains("mount -t cgroup -o pids"), row.detail());
  }

  @Test
  void memory_withoutSwap_isYes_andSaysTheWholeTreeIsBounded() {
    Protection row = CgroupChecks.memory(new Found(MEMORY, MEMORY, false, 0), 1024, 0);

    assertEquals(Status.YES, row.status());
    assertTrue(row.detail().contains("1024 MiB (maxMemoryMegabytes) for its whole process tree"), row.detail());
  }

  @Test
  void memory_onAMachineWithSwap_isPartial_sinceTheLimitCoversRamOnly() {
    Protection row = CgroupChecks.memory(new Found(MEMORY, MEMORY, false, 0), 1024, 2048 * 1024);

    assertEquals(Status.PARTIAL, row.status());
    assertTrue(row.detail().contains("2048 MiB of swap"), row.detail());
  }

  @Test
  void memory_missing_isNo_andSaysTheJvmFlagsStillHold() {
    Protection row = CgroupChecks.memory(new Found(null, null, true, 0), 1024, 0);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("JVM flags still bound"), row.detail());
  }

  @Test
  void memory_withNoLimitSet_isNotUsed() {
    assertFalse(CgroupChecks.memory(new Found(null, null, true, 0), 0, 0).used());
  }
}
