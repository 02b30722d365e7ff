package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BaselinesCommandTest {
  @Test
  void parse_noOptions_runsEveryBaselineWithPython3() {
    BaselinesCommand.Options options = BaselinesCommand.parse(List.of());

    assertNull(options.plugins());
    assertEquals("python3", options.python());
    assertEquals(Set.copyOf(BaselinesCommand.NAMES), options.only());
  }

  @Test
  void parse_everyOption_isTaken() {
    BaselinesCommand.Options options =
        BaselinesCommand.parse(List.of("--plugins", "/p", "--python", "python3.11", "--only", "grpc-direct, python-mp"));

    assertEquals(Path.of("/p"), options.plugins());
    assertEquals("python3.11", options.python());
    assertEquals(Set.of("grpc-direct", "python-mp"), options.only());
  }

  @Test
  void parse_anUnknownBaseline_namesTheKnownOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BaselinesCommand.parse(List.of("--only", "grpc")));

    assertTrue(e.getMessage().contains("grpc-direct"), e.getMessage());
  }

  @Test
  void parse_anOptionWithoutItsValue_saysSo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselinesCommand.parse(List.of("--python")));

    assertTrue(e.getMessage().contains("--python needs a value"), e.getMessage());
  }

  @Test
  void run_badArguments_exitWith2AndUsage() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        BaselinesCommand.run(
            List.of("--bogus"), null, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));

    assertEquals(2, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --bogus"));
  }
}
