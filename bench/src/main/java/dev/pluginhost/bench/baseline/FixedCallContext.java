package dev.pluginhost.bench.baseline;

import dev.pluginhost.plugin.api.CallContext;
import java.time.Instant;
import java.util.Map;

/**
 * The context of an in-process call: no deadline to speak of, never cancelled, no metadata.
 * Immutable; one instance may serve every call of a function.
 */
final class FixedCallContext implements CallContext {
  private final String function;

  FixedCallContext(String function) {
    this.function = function;
  }

  @Override
  public String function() {
    return function;
  }

  @Override
  public Instant deadline() {
    return Instant.MAX;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  /** Never runs the listener: the call is never cancelled. */
  @Override
  public void onCancel(Runnable listener) {}

  @Override
  public Map<String, String> metadata() {
    return Map.of();
  }
}
