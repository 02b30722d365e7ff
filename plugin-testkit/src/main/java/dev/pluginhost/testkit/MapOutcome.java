package dev.pluginhost.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/** How one input of {@link PluginUnderTest#map} ended: its result, or the error in its place. */
public final class MapOutcome {
  private final byte[] value;
  private final CallFailedException error;

  private MapOutcome(byte[] value, CallFailedException error) {
    this.value = value;
    this.error = error;
  }

  public static MapOutcome success(byte[] value) {
    return new MapOutcome(Objects.requireNonNull(value, "value").clone(), null);
  }

  public static MapOutcome failure(CallFailedException error) {
    return new MapOutcome(null, Objects.requireNonNull(error, "error"));
  }

  public boolean succeeded() {
    return error == null;
  }

  /**
   * The result.
   *
   * @throws CallFailedException the input's error, if it failed
   */
  public byte[] value() {
    if (error != null) {
      throw error;
    }
    return value.clone();
  }

  /** {@link #value()} decoded from UTF-8. */
  public String text() {
    return new String(value(), StandardCharsets.UTF_8);
  }

  /** The error, if the input failed. */
  public Optional<CallFailedException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    return error == null ? "success(" + value.length + " bytes)" : "failure(" + error.getMessage() + ")";
  }
}
