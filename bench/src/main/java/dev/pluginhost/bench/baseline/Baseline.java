package dev.pluginhost.bench.baseline;

/**
 * Something the host's figures are compared with, measured in the same run on the same machine.
 *
 * <p>{@link #run()} measures afresh each time it is called, and returns only after every process
 * and thread it started is gone, whether it succeeded or not. Not meant to be run concurrently
 * with anything else: the machine has two cores and any other load skews the figures.
 */
public interface Baseline {
  /** A short stable name, such as {@code "grpc-direct"}. */
  String name();

  /** What it measures, one line for a person. */
  String description();

  /**
   * Measures and returns the figures. A missing prerequisite (a sample not built, no Python)
   * is a result with status {@link BaselineResult.Status#UNAVAILABLE}, not an exception.
   *
   * @throws Exception when the measurement itself breaks
   */
  BaselineResult run() throws Exception;
}
