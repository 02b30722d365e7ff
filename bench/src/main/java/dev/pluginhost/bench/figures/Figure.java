package dev.pluginhost.bench.figures;

/**
 * One of the host's figures for the combined benchmark table: something measured against real
 * plugin JVMs started by a real {@code PluginHost}. Implementations hold no state between runs;
 * each {@link #run} starts its own hosts and stops every process it started before it returns or
 * throws.
 */
public interface Figure {

  /** A short name to select it by, as in {@code figures --only roundtrip}. */
  String id();

  /** What it measures, in a line. */
  String title();

  /**
   * Measures the figure. Progress goes to {@link FigureContext#progress()}; nothing is printed on
   * standard output.
   *
   * @throws Exception if the measurement could not be made (a plugin did not start, a call failed
   *     that should not have); nothing is left running
   */
  FigureResult run(FigureContext context) throws Exception;
}
