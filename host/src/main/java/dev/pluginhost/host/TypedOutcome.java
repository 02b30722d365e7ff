package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Optional;

/**
 * How one input of a typed {@code map} ended: its decoded result, or the typed error that took its
 * place. The typed counterpart of {@link CallOutcome}; a reply that does not decode is a failure
 * with INTERNAL (see {@link TypedFunction}).
 *
 * @param <T> the result's type
 */
public final class TypedOutcome<T> {
  private final T value;
  private final PluginCallException error;

  private TypedOutcome(T value, PluginCallException error) {
    this.value = value;
    this.error = error;
  }

  public static <T> TypedOutcome<T> success(T value) {
    return new TypedOutcome<>(checkNotNull(value, "value"), null);
  }

  public static <T> TypedOutcome<T> failure(PluginCallException error) {
    return new TypedOutcome<>(null, checkNotNull(error, "error"));
  }

  public boolean succeeded() {
    return error == null;
  }

  /**
   * The result.
   *
   * @throws PluginCallException the input's error, if it failed
   */
  public T value() {
    if (error != null) {
      throw error;
    }
    return value;
  }

  /** The error, if the input failed. */
  public Optional<PluginCallException> error() {
    return Optional.ofNullable(error);
  }

  @Override
  public String toString() {
    if (error != null) {
      return "failure(" + error.getMessage() + ")";
    }
    String shown = value instanceof byte[] ? ((byte[]) value).length + " bytes" : String.valueOf(value).strip();
    return "success(" + (shown.length() > 80 ? shown.substring(0, 77) + "..." : shown) + ")";
  }
}
