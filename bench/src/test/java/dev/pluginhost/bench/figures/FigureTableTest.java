package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.bench.Samples;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

class FigureTableTest {

  private static Samples of(String name, int count) {
    Samples samples = new Samples(name);
    for (int i = 1; i <= count; i++) {
      samples.add(i);
    }
    return samples;
  }

  @Test
  void number_keepsAboutThreeSignificantFigures_withoutExponents() {
    assertEquals("0.0123", FigureTable.number(0.012345));
    assertEquals("0.312", FigureTable.number(0.31234));
    assertEquals("3.12", FigureTable.number(3.1234));
    assertEquals("31.2", FigureTable.number(31.234));
    assertEquals("312", FigureTable.number(312.34));
    assertEquals("312446", FigureTable.number(312446.2));
    assertEquals("0.000", FigureTable.number(0));
    assertEquals("-3.12", FigureTable.number(-3.1234));
  }

  @Test
  void row_leavesSpreadBlank_whereItSaysNothing() {
    String one = FigureTable.row(new Measure(of("one", 1), "ms"));
    assertEquals(List.of("one", "1", "1.00", "-", "-", "-", "ms"), List.of(one.trim().split("\\s+")));
    String ten = FigureTable.row(new Measure(of("ten", 10), "ms"));
    assertEquals(List.of("ten", "10", "5.50", "1.90", "9.10", "-", "ms"), List.of(ten.trim().split("\\s+")));
    String many = FigureTable.row(new Measure(of("many", 101), "calls/s"));
    assertEquals(List.of("many", "101", "51.0", "11.0", "91.0", "100", "calls/s"), List.of(many.trim().split("\\s+")));
  }

  @Test
  void format_printsTitleSettingsHeaderRowsAndNotes_inOrder() {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("plugin", "squares");
    settings.put("calls", "10");
    FigureResult result =
        new FigureResult(
            "roundtrip",
            "round trip",
            List.of(new Measure(of("round trip", 3), "ms")),
            settings,
            List.of("a caveat"));
    List<String> lines = FigureTable.format(List.of(result, result)).lines().toList();
    assertEquals("roundtrip: round trip", lines.get(0));
    assertEquals("  settings: plugin squares; calls 10", lines.get(1));
    assertTrue(lines.get(2).trim().startsWith("measure"), lines.get(2));
    assertTrue(lines.get(2).trim().endsWith("unit"), lines.get(2));
    assertTrue(lines.get(3).trim().startsWith("round trip"), lines.get(3));
    assertEquals("  note: a caveat", lines.get(4));
    assertEquals("", lines.get(5));
    assertEquals("roundtrip: round trip", lines.get(6));
  }

  @Test
  void measure_findsByName_orNamesThoseThereAre() {
    FigureResult result =
        new FigureResult("x", "x", List.of(Measure.single("a", 1, "ms"), Measure.single("b", 2, "ms")), Map.of(), List.of());
    assertEquals(2, result.measure("b").samples().median());
    NoSuchElementException e = assertThrows(NoSuchElementException.class, () -> result.measure("c"));
    assertTrue(e.getMessage().contains("[a, b]"), e.getMessage());
  }
}
