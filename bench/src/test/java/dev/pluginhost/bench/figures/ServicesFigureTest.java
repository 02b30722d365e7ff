package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.bench.Samples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServicesFigureTest {

  private static Samples of(String name, double... values) {
    Samples samples = new Samples(name);
    for (double value : values) {
      samples.add(value);
    }
    return samples;
  }

  @Test
  void ratios_setEachLabelsPercentile_againstTheDirectCallsSamePercentile() {
    Map<String, Samples> trips = new LinkedHashMap<>();
    trips.put(ServicesFigure.DIRECT, of(ServicesFigure.ROW_DIRECT, 0.1, 0.2, 0.3));
    trips.put(ServicesFigure.NESTED, of(ServicesFigure.ROW_NESTED, 0.3, 0.4, 0.9));

    List<Measure> p50 = ServicesFigure.ratios(trips, List.of(ServicesFigure.NESTED), 50);
    List<Measure> p100 = ServicesFigure.ratios(trips, List.of(ServicesFigure.NESTED), 100);

    assertEquals("p50 ratio: nested / direct", p50.get(0).name());
    assertEquals("x", p50.get(0).unit());
    assertEquals(2.0, p50.get(0).samples().median(), 1e-9);
    assertEquals("p100 ratio: nested / direct", p100.get(0).name());
    assertEquals(3.0, p100.get(0).samples().median(), 1e-9);
  }

  @Test
  void ratios_ofALabelNeverMeasured_failNamingIt() {
    Map<String, Samples> trips = Map.of(ServicesFigure.DIRECT, of(ServicesFigure.ROW_DIRECT, 0.2));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ServicesFigure.ratios(trips, List.of("kv get"), 50));

    assertEquals("no round trips of kv get", e.getMessage());
  }

  @Test
  void everyRow_fitsTheFigureTablesNameColumn() {
    for (String row : List.of(
        ServicesFigure.ROW_DIRECT, ServicesFigure.ROW_DIRECT_ON_THREAD, ServicesFigure.ROW_NESTED,
        ServicesFigure.ROW_KV_GET, ServicesFigure.ROW_KV_CAS, ServicesFigure.ROW_LOCK, ServicesFigure.ROW_SERVICE,
        ServicesFigure.ROW_LOCK_RATE, ServicesFigure.ROW_LOG_KEPT_PER_PROCESS, ServicesFigure.ROW_LOG_PACED_DROPPED,
        ServicesFigure.ratioName(ServicesFigure.DIRECT_ON_THREAD, 50),
        ServicesFigure.CPU_PER_CALL + ServicesFigure.DIRECT_ON_THREAD,
        ServicesFigure.SWITCHES_PER_CALL + ServicesFigure.DIRECT_ON_THREAD)) {
      assertTrue(row.length() <= 46, "longer than the name column: " + row);
    }
  }
}
