package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.bench.Samples;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselineTableTest {
  private static Samples samples(double... values) {
    Samples samples = new Samples("s");
    for (double value : values) {
      samples.add(value);
    }
    return samples;
  }

  @Test
  void format_showsTimesInAFittingUnit_andP99OnlyPerEvent() {
    BaselineResult result =
        BaselineResult.measured(
            "b",
            "d",
            List.of(
                Figure.perEvent("b.call", "a call", samples(100_000, 110_000, 120_000)),
                Figure.perRepeat("b.rate", "a rate", samples(20_000, 22_000), Unit.CALLS_PER_SECOND)),
            List.of("b: a note"));

    List<String> lines = BaselineTable.format(List.of(result)).lines().toList();

    assertEquals(4, lines.size(), lines.toString());
    assertTrue(lines.get(0).matches("figure +median +p10 +p90 +p99 +n +unit"), lines.get(0));
    assertTrue(lines.get(1).matches("a call +110 +102 +118 +120 +3 +µs"), lines.get(1));
    assertTrue(lines.get(2).matches("a rate +21,000 +20,200 +21,800 +- +2 +calls/s"), lines.get(2));
    assertEquals("b: a note", lines.get(3));
  }

  @Test
  void format_aResultWithoutFigures_saysWhy() {
    String text = BaselineTable.format(List.of(BaselineResult.unavailable("python-mp", "d", "cannot run python3")));

    assertTrue(text.contains("python-mp: unavailable: cannot run python3"), text);
  }
}
