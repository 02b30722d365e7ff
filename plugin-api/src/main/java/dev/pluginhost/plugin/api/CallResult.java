package dev.pluginhost.plugin.api;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/** How one input of a {@link PluginCalls#map} ended: its output, or the error in its place. */
public final class CallResult {
  private final byte[] output;
  private final HostServiceException error;

  private CallResult(byte[] output, HostServiceException error) {
    this.output = output;
    this.error = error;
  }

  public static CallResult success(byte[] output) {
    return new CallResult(Objects.requireNonNull(output, "output"), null);
  }

  public static CallResult failure(HostServiceException error) {
    return new CallResult(null, Objects.requireNonNull(error, "error"));
  }

  public boolean succeeded() {
    return error == null;
  }

  /**
   * The output.
   *
   * @throws HostServiceException the input's error, if it failed
   */
  public byte[] output() {
    if (error != null) {
      throw error;
    }
    return output.clone();
  }

  /** {@link #output()} decoded from UTF-8. */
  public String text() {
    return new String(output(), StandardCharsets.UTF_8);
  }

  public Optional<HostServiceException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    return error == null ? "success(" + output.length + " bytes)" : "failure(" + error.getMessage() + ")";
  }
}
