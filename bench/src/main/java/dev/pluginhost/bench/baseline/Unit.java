package dev.pluginhost.bench.baseline;

/** What a {@link Figure}'s values count. Every time is in nanoseconds, whatever the table shows. */
public enum Unit {
  /** A duration in nanoseconds; the table shows it in ns, µs or ms as fits. */
  NANOSECONDS("ns"),
  CALLS_PER_SECOND("calls/s"),
  ITEMS_PER_SECOND("items/s"),
  /** Payload bytes per second, in millions (10^6), one way. */
  MEGABYTES_PER_SECOND("MB/s");

  private final String symbol;

  Unit(String symbol) {
    this.symbol = symbol;
  }

  /** How the unit is written after a number, such as {@code "calls/s"}. */
  public String symbol() {
    return symbol;
  }
}
