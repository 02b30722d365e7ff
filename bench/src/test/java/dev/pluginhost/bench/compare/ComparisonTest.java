package dev.pluginhost.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  @Test
  void aLatencyBar_isMetAtOrBelowItsRatio_andMissedAbove() {
    assertTrue(Comparison.atMost("call", 0.23, "floor", 0.20, "ms", 1.15).met());
    assertFalse(Comparison.atMost("call", 0.24, "floor", 0.20, "ms", 1.15).met());
  }

  @Test
  void aThroughputBar_isMetAtOrAboveItsRatio_andMissedBelow() {
    assertTrue(Comparison.atLeast("calls/s", 80, "floor", 100, "calls/s", 0.8).met());
    assertFalse(Comparison.atLeast("calls/s", 79, "floor", 100, "calls/s", 0.8).met());
  }

  @Test
  void aTarget_isJudgedByTheValue_andShowsNoRatio() {
    Comparison met = Comparison.withinTarget("cold start", 200, 200, "ms");
    Comparison missed = Comparison.withinTarget("cold start", 201, 200, "ms");

    assertTrue(met.met());
    assertFalse(missed.met());
    assertFalse(met.hasBaseline());
  }

  @Test
  void theTable_showsRatiosOnlyAgainstBaselines_andSaysWhichBarsAreMissed() {
    String table =
        Tables.format(
            List.of(
                Comparison.atMost("call p50", 0.3, "gRPC echo", 0.2, "ms", 1.15),
                Comparison.withinTarget("cold start", 371, 200, "ms"),
                Comparison.alone("hang", 1.8, "ms")));
    List<String> lines = table.lines().toList();

    assertEquals(4, lines.size(), table);
    assertTrue(lines.get(1).contains("1.50x") && lines.get(1).endsWith("MISSED"), lines.get(1));
    assertFalse(lines.get(2).contains("x  "), lines.get(2));
    assertTrue(lines.get(2).endsWith("MISSED"), lines.get(2));
    assertNull(Comparison.alone("hang", 1.8, "ms").met());
    assertFalse(lines.get(3).contains("MISSED") || lines.get(3).contains("met"), lines.get(3));
  }
}
