package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** How one input of a {@code map} ended: its result, or the typed error that took its place. */
public final class CallOutcome {
  private final byte[] value;
  private final PluginCallException error;

  private CallOutcome(byte[] value, PluginCallException error) {
    this.value = value;
    this.error = error;
  }

  public static CallOutcome success(byte[] value) {
    return new CallOutcome(checkNotNull(value, "value"), null);
  }

  public static CallOutcome failure(PluginCallException error) {
    return new CallOutcome(null, checkNotNull(error, "error"));
  }

  public boolean succeeded() {
    return error == null;
  }

  /**
   * The result.
   *
   * @throws PluginCallException the input's error, if it failed
   */
  public byte[] value() {
    if (error != null) {
      throw error;
    }
    return value;
  }

  /** {@link #value()} decoded from UTF-8. */
  public String text() {
    return new String(value(), StandardCharsets.UTF_8);
  }

  /** The error, if the input failed. */
  public Optional<PluginCallException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    return error == null ? "success(" + value.length + " bytes)" : "failure(" + error.getMessage() + ")";
  }
}
