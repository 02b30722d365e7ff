package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PythonReportTest {
  private static final String REPORT =
      "{\"python_version\": \"3.11.7\", \"implementation\": \"CPython\", \"start_method\": \"spawn\","
          + " \"cpu_count\": 2, \"pool_processes\": 2,"
          + " \"spawn_process_ns\": [50000000, 60000000, 70000000],"
          + " \"pool_apply_ns\": [100, 200, 300, 400],"
          + " \"map_items\": 100000,"
          + " \"map_chunksize1_items_per_s\": [35000.5, 36000.25],"
          + " \"map_default_items_per_s\": [6800000.0],"
          + " \"map_default_chunksize\": 12500}";

  @Test
  void parse_aFullReport_readsEveryField() {
    PythonReport report = PythonReport.parse(REPORT);

    assertEquals("3.11.7", report.pythonVersion());
    assertEquals("spawn", report.startMethod());
    assertEquals(3, report.spawnProcessNanos().count());
    assertEquals(60_000_000, report.spawnProcessNanos().median());
    assertEquals(4, report.poolApplyNanos().count());
    assertEquals(250, report.poolApplyNanos().median());
    assertEquals(100_000, report.mapItems());
    assertEquals(35_500.375, report.mapChunksize1().median());
    assertEquals(6_800_000, report.mapDefault().median());
    assertEquals(12_500, report.mapDefaultChunksize());
  }

  @Test
  void parse_aMissingField_namesIt() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PythonReport.parse(REPORT.replace("\"pool_apply_ns\"", "\"other\"")));

    assertTrue(e.getMessage().contains("pool_apply_ns"), e.getMessage());
  }

  @Test
  void parse_anEmptyList_isRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> PythonReport.parse(REPORT.replace("[6800000.0]", "[]")));

    assertTrue(e.getMessage().contains("map_default_items_per_s"), e.getMessage());
  }

  @Test
  void parse_aNonNumberInAList_isRejected() {
    assertThrows(IllegalArgumentException.class, () -> PythonReport.parse(REPORT.replace("[100, 200", "[\"x\", 200")));
  }

  @Test
  void parse_textThatIsNotAnObject_saysWhatItGot() {
    IllegalArgumentException notJson = assertThrows(IllegalArgumentException.class, () -> PythonReport.parse("Traceback (most"));
    IllegalArgumentException array = assertThrows(IllegalArgumentException.class, () -> PythonReport.parse("[1, 2]"));

    assertTrue(notJson.getMessage().contains("Traceback"), notJson.getMessage());
    assertTrue(array.getMessage().contains("not a JSON object"), array.getMessage());
  }
}
