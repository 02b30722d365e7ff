package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * How a {@code map} runs. Immutable; start from {@link #timeout(Duration)}.
 *
 * <pre>{@code
 * plugin.map("resize", images, MapOptions.timeout(Duration.ofMinutes(5)).chunkSize(8));
 * }</pre>
 */
public final class MapOptions {
  private final Duration timeout;
  private final int chunkSize;
  private final Boolean idempotent;
  private final Map<String, String> metadata;

  private MapOptions(Duration timeout, int chunkSize, Boolean idempotent, Map<String, String> metadata) {
    this.timeout = timeout;
    this.chunkSize = chunkSize;
    this.idempotent = idempotent;
    this.metadata = metadata;
  }

  /** Options whose whole map must finish within {@code timeout}; every input shares it. */
  public static MapOptions timeout(Duration timeout) {
    checkNotNull(timeout, "timeout");
    checkArgument(!timeout.isNegative() && !timeout.isZero(), "timeout must be positive, got %s", timeout);
    return new MapOptions(timeout, 0, null, Map.of());
  }

  /**
   * Sends inputs to a process {@code size} at a time, in one call, which pays off when each input
   * is tiny. 0, the default, picks a size the way Python's {@code Pool.map} does: the inputs
   * divided by four times the number of processes, rounded up.
   */
  public MapOptions chunkSize(int size) {
    checkArgument(size >= 0, "chunkSize must not be negative, got %s", size);
    return new MapOptions(timeout, size, idempotent, metadata);
  }

  /**
   * Says whether the function may safely run twice on one input, overriding what the plugin
   * declared. Idempotent chunks whose process dies are retried on another process.
   */
  public MapOptions idempotent(boolean value) {
    return new MapOptions(timeout, chunkSize, value, metadata);
  }

  /** Metadata every call of the map carries. */
  public MapOptions metadata(Map<String, String> values) {
    return new MapOptions(timeout, chunkSize, idempotent, Map.copyOf(values));
  }

  public Duration timeout() {
    return timeout;
  }

  public int chunkSize() {
    return chunkSize;
  }

  /** The caller's word on idempotency, if it gave one. */
  public Optional<Boolean> idempotent() {
    return Optional.ofNullable(idempotent);
  }

  public Map<String, String> metadata() {
    return metadata;
  }
}
