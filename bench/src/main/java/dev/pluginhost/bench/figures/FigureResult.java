package dev.pluginhost.bench.figures;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;

/**
 * What one figure measured.
 *
 * @param id the figure's {@link Figure#id()}
 * @param title the figure's {@link Figure#title()}
 * @param measures its rows, in the order they are meant to be read
 * @param settings how it was measured (plugin, pool size, payload, repetitions...), in order
 * @param notes anything a reader must know to trust the numbers (failures seen, caveats)
 */
public record FigureResult(
    String id, String title, List<Measure> measures, Map<String, String> settings, List<String> notes) {

  public FigureResult {
    measures = List.copyOf(measures);
    settings = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(settings));
    notes = List.copyOf(notes);
  }

  /**
   * The measure named {@code name}.
   *
   * @throws NoSuchElementException if there is none, naming those there are
   */
  public Measure measure(String name) {
    return measures.stream()
        .filter(m -> m.name().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new NoSuchElementException(
                "figure " + id + " has no measure '" + name + "'; it has "
                    + measures.stream().map(Measure::name).toList()));
  }
}
