package dev.pluginhost.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ProcessDeathTest {

  @Test
  void signal_exitCodeAbove128_isTheSignalNumber() {
    assertEquals(OptionalInt.of(9), death(137).signal());
    assertEquals(OptionalInt.of(15), death(143).signal());
    assertEquals(OptionalInt.of(1), death(129).signal());
    assertEquals(OptionalInt.of(64), death(192).signal());
  }

  @Test
  void signal_ordinaryExitOrUnknown_isEmpty() {
    assertEquals(OptionalInt.empty(), death(0).signal());
    assertEquals(OptionalInt.empty(), death(3).signal());
    assertEquals(OptionalInt.empty(), death(128).signal());
    assertEquals(OptionalInt.empty(), death(193).signal());
    assertEquals(OptionalInt.empty(), death(-1).signal());
  }

  @Test
  void lastOutput_isCopied() {
    List<String> lines = new ArrayList<>(List.of("a"));
    ProcessDeath death =
        new ProcessDeath("p", 1, Instant.EPOCH, DeathCause.EXITED, 1, "exited with code 1", lines, Optional.empty());
    lines.add("b");

    assertEquals(List.of("a"), death.lastOutput());
  }

  @Test
  void summary_isPidThenDetail() {
    assertEquals("pid 42 exited with code 3", death(3).summary());
  }

  private static ProcessDeath death(int exitCode) {
    return new ProcessDeath(
        "p", 42, Instant.EPOCH, DeathCause.EXITED, exitCode, "exited with code " + exitCode, List.of(), Optional.empty());
  }
}
