package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The /proc parsing behind the memory and orphan figures. */
class ProcReadingTest {

  @Test
  void vmRss_isReadInBytes() {
    String status = "Name:\tjava\nVmPeak:\t 100 kB\nVmRSS:\t   89012 kB\nThreads:\t31\n";
    assertEquals(89012L * 1024, Footprint.parseVmRss(status));
  }

  @Test
  void vmRss_missing_isMinusOne() {
    assertEquals(-1, Footprint.parseVmRss("Name:\tjava\nState:\tZ (zombie)\n"));
  }

  @Test
  void stateOfAStatLine_isTheLetterAfterTheLastParenthesis_evenWhenTheCommandHasOne() {
    assertEquals('Z', OrphanFigure.parseState("1234 (java (x)) Z 1 1234 1234 0 -1"));
    assertEquals('S', OrphanFigure.parseState("1 (init) S 0 1 1"));
    assertThrows(IllegalArgumentException.class, () -> OrphanFigure.parseState("garbage"));
  }

  @Test
  void thisProcess_isAliveAndHasAResidentSize() {
    long self = ProcessHandle.current().pid();
    assertEquals(OrphanFigure.ProcessState.ALIVE, OrphanFigure.state(self));
    assertTrue(Footprint.residentBytes(self) > 0);
  }

  @Test
  void cpuTicksOfAStatLine_areUtimePlusStime_countedAfterTheCommand() {
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 2311 0 0 0 150 37 0 0 20 0 31 0 1234 0 0";
    assertEquals(187, ProcessCost.parseCpuTicks(stat));
    assertThrows(IllegalArgumentException.class, () -> ProcessCost.parseCpuTicks("4242 (java) S 1 2"));
  }

  @Test
  void switchesOfATaskStatus_areVoluntaryPlusNonvoluntary() {
    String status = "Name:\tjava\nvoluntary_ctxt_switches:\t120\nnonvoluntary_ctxt_switches:\t7\n";
    assertEquals(127, ProcessCost.parseSwitches(status));
    assertEquals(0, ProcessCost.parseSwitches("Name:\tjava\n"));
  }
}
