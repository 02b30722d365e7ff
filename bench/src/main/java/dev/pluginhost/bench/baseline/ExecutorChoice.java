package dev.pluginhost.bench.baseline;

/** Where gRPC runs a call's handlers and callbacks, on both the server and the client. */
public enum ExecutorChoice {
  /**
   * On the Netty event loop itself ({@code directExecutor()}): no thread hop, the floor. Handlers
   * must never block.
   */
  DIRECT("direct"),
  /** gRPC's default, a shared cached thread pool: one hop each way, as most services run. */
  GRPC_DEFAULT("default");

  private final String label;

  ExecutorChoice(String label) {
    this.label = label;
  }

  /** The word used in figure ids and on the command line: {@code direct} or {@code default}. */
  public String label() {
    return label;
  }

  /** The choice whose {@link #label()} is {@code label}. */
  public static ExecutorChoice ofLabel(String label) {
    for (ExecutorChoice choice : values()) {
      if (choice.label.equals(label)) {
        return choice;
      }
    }
    throw new IllegalArgumentException("no executor choice '" + label + "'; expected direct or default");
  }
}
