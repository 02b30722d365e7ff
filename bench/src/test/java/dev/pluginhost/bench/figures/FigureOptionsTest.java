package dev.pluginhost.bench.figures;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class FigureOptionsTest {
  private static final List<String> KNOWN = List.of("roundtrip", "throughput", "map");

  @Test
  void noArguments_meanEveryFigure_fullLength() {
    FigureOptions options = FigureOptions.parse(List.of(), KNOWN);
    assertEquals(List.of(), options.only());
    assertFalse(options.quick());
    assertFalse(options.verbose());
    assertFalse(options.list());
    assertNull(options.plugins());
  }

  @Test
  void only_keepsTheOrderGiven_dropsRepeatsAndBlanks() {
    FigureOptions options = FigureOptions.parse(List.of("--only", "map, roundtrip,,map"), KNOWN);
    assertEquals(List.of("map", "roundtrip"), options.only());
  }

  @Test
  void flagsAndPlugins_areRead() {
    FigureOptions options =
        FigureOptions.parse(List.of("--quick", "--verbose", "--plugins", "some/dir", "--list"), KNOWN);
    assertTrue(options.quick());
    assertTrue(options.verbose());
    assertTrue(options.list());
    assertEquals(Path.of("some/dir"), options.plugins());
  }

  @Test
  void unknownFigure_isRefused_namingThoseThereAre() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FigureOptions.parse(List.of("--only", "nope"), KNOWN));
    assertTrue(e.getMessage().contains("nope") && e.getMessage().contains("roundtrip,throughput,map"), e.getMessage());
  }

  @Test
  void onlyWithoutAValue_orWithNoName_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> FigureOptions.parse(List.of("--only"), KNOWN));
    assertThrows(IllegalArgumentException.class, () -> FigureOptions.parse(List.of("--only", ","), KNOWN));
    assertThrows(IllegalArgumentException.class, () -> FigureOptions.parse(List.of("--plugins"), KNOWN));
  }

  @Test
  void unknownOption_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> FigureOptions.parse(List.of("--fast"), KNOWN));
    assertEquals("unknown option --fast", e.getMessage());
  }

  @Test
  void everyRegisteredFigure_hasAUniqueId_andCanBeSelected() {
    List<String> ids = Figures.ids();
    assertEquals(ids.size(), ids.stream().distinct().count(), ids.toString());
    assertEquals(ids, FigureOptions.parse(List.of("--only", String.join(",", ids)), ids).only());
    ids.forEach(id -> assertEquals(id, Figures.byId(id).id()));
  }
}
