package dev.pluginhost.host.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The group's reading and writing of cgroup files, on plain files that stand in for cgroupfs. */
class CgroupsTest {
  @TempDir Path dir;

  @Test
  void taskLimitHits_isTheMaxCountOfPidsEvents() throws IOException {
    Cgroups.Group group = pidsGroup("max 52\n");

    assertEquals(52, group.taskLimitHits());
  }

  @Test
  void taskLimitHits_withoutRefusals_isZero() throws IOException {
    assertEquals(0, pidsGroup("max 0\n").taskLimitHits());
  }

  @Test
  void taskLimitHits_withoutAPidsCgroup_isZero() {
    Cgroups.Group group = new Cgroups.Group(List.of(), null, null, 0);

    assertEquals(0, group.taskLimitHits());
  }

  @Test
  void killAll_closesTheGroupToNewTasks_andKeepsTheCountFromBeforeIt() throws IOException {
    Cgroups.Group group = pidsGroup("max 3\n");

    group.killAll();
    // Refusals after the host closed the group are the host's doing, not the plugin's.
    Files.writeString(dir.resolve("pids.events"), "max 9\n");

    assertEquals("0", Files.readString(dir.resolve("pids.max")));
    assertEquals(3, group.taskLimitHits());
  }

  @Test
  void killAll_twice_keepsTheFirstCount() throws IOException {
    Cgroups.Group group = pidsGroup("max 3\n");

    group.killAll();
    Files.writeString(dir.resolve("pids.events"), "max 9\n");
    group.killAll();

    assertEquals(3, group.taskLimitHits());
  }

  private Cgroups.Group pidsGroup(String events) throws IOException {
    Files.writeString(dir.resolve("pids.max"), "200");
    Files.writeString(dir.resolve("pids.events"), events);
    Files.writeString(dir.resolve("cgroup.procs"), "");
    return new Cgroups.Group(List.of(dir), dir, null, 0);
  }
}
