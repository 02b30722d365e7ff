package dev.pluginhost.bench.compare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.bench.Samples;
import dev.pluginhost.bench.figures.FigureResult;
import dev.pluginhost.bench.figures.Measure;
import dev.pluginhost.bench.figures.ServicesFigure;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ComparisonRowsTest {

  private static Measure ms(String name, double... values) {
    Samples samples = new Samples(name);
    for (double value : values) {
      samples.add(value);
    }
    return new Measure(samples, "ms");
  }

  private static FigureResult services(double nestedMedian) {
    return new FigureResult(
        "services", "services",
        List.of(
            ms(ServicesFigure.ROW_DIRECT, 0.2, 0.2, 0.2),
            ms(ServicesFigure.ROW_NESTED, nestedMedian, nestedMedian, nestedMedian),
            ms(ServicesFigure.ROW_KV_GET, 0.6),
            Measure.single(ServicesFigure.ROW_LOCK_RATE, 150, "sections/s"),
            Measure.single(ServicesFigure.ROW_LOG_PACED_DROPPED, 0, "records")),
        Map.of(), List.of());
  }

  @Test
  void theServicesFigure_isSetAgainstItsOwnDirectCall_withTheNestedCallJudgedAgainstTwice() {
    List<Comparison> rows = ComparisonRows.of(List.of(), List.of(services(0.4)));

    Comparison nested = rows.get(0);
    assertTrue(nested.what().startsWith("nested call p50"), nested.what());
    assertEquals(2.0, nested.ratio(), 1e-9);
    assertEquals("<= 2.00x", nested.bar());
    assertTrue(nested.met());
    assertFalse(ComparisonRows.of(List.of(), List.of(services(0.41))).get(0).met());
    assertTrue(rows.stream().anyMatch(r -> r.what().startsWith("kv get p50") && Math.abs(r.ratio() - 3) < 1e-9), rows.toString());
    assertTrue(rows.stream().anyMatch(r -> r.what().startsWith("critical sections/s") && r.ours() == 150), rows.toString());
    assertTrue(rows.stream().anyMatch(r -> r.what().startsWith("log records dropped at 100/s") && r.ours() == 0), rows.toString());
  }

  @Test
  void rowsOfMeasuresTheRunLacks_areLeftOut() {
    assertTrue(ComparisonRows.of(List.of(), List.of()).isEmpty());
  }
}
