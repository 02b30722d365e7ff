package dev.pluginhost.host.internal.spawn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessMemoryTest {

  @Test
  void parseVmRss_readsKilobytesAsBytes() {
    List<String> status = List.of("Name:\tjava", "VmPeak:\t  999 kB", "VmRSS:\t   51200 kB", "Threads:\t12");

    assertEquals(51200L * 1024, ProcessMemory.parseVmRss(status));
  }

  @Test
  void parseVmRss_withoutTheLine_isUnknown() {
    assertEquals(-1, ProcessMemory.parseVmRss(List.of("Name:\tkthreadd", "State:\tS (sleeping)")));
  }

  @Test
  void residentBytes_ofThisJvm_isSeveralMegabytes() {
    long bytes = ProcessMemory.residentBytes(ProcessHandle.current().pid());

    assertTrue(bytes > 8L << 20, bytes + " bytes");
  }

  @Test
  void residentBytes_ofAProcessGone_isUnknown() throws Exception {
    Process process = new ProcessBuilder("true").start();
    assertTrue(process.waitFor(10, TimeUnit.SECONDS));

    assertEquals(-1, ProcessMemory.residentBytes(process.pid()));
  }

  @Test
  void residentBytes_sumsTheChildrenOfTheProcess() throws Exception {
    // A shell that waits on a sleeping child: the child's memory counts towards the shell's tree.
    Process shell = new ProcessBuilder("sh", "-c", "sleep 30 & wait").start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (shell.toHandle().children().findAny().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the shell started no child");
        Thread.sleep(5);
      }
      long child = shell.toHandle().children().findAny().orElseThrow().pid();

      long tree = ProcessMemory.residentBytes(shell.pid());

      long own = ProcessMemory.residentBytesOf(shell.pid());
      long childOwn = ProcessMemory.residentBytesOf(child);
      assertTrue(own > 0 && childOwn > 0, own + " and " + childOwn);
      // Each may move a page or two between the reads.
      assertTrue(Math.abs(tree - (own + childOwn)) < 1L << 20, tree + " vs " + own + " + " + childOwn);
    } finally {
      shell.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
      shell.destroyForcibly();
      assertTrue(shell.waitFor(10, TimeUnit.SECONDS));
    }
  }
}
