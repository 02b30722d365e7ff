package dev.pluginhost.plugin.api;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/**
 * A small key-value store private to the plugin, kept by the host, shared by all the plugin's
 * processes, and surviving their restarts (and the host's, when the host keeps a data directory).
 * Needs the grant {@code kv}.
 *
 * <p>Every operation is atomic and, once it returns, seen by every later operation of any of the
 * plugin's processes. Keys are 1 to 256 bytes of UTF-8; a value is at most 64 KiB; the whole store
 * at most 1 MiB, keys included. A write over a limit fails with RESOURCE_EXHAUSTED (the total) or
 * INVALID_ARGUMENT (a key or value too large) and changes nothing. Each operation waits at most
 * 10 seconds for the host.
 *
 * @throws HostServiceException from every method: PERMISSION_DENIED without the grant,
 *     UNAVAILABLE when the host cannot be reached
 */
public interface KeyValueStore {

  /** The value under {@code key}, if there is one. */
  Optional<byte[]> get(String key);

  /** Stores {@code value} under {@code key}, replacing any value there. */
  void put(String key, byte[] value);

  /** Removes {@code key}; returns whether it was there. */
  boolean delete(String key);

  /**
   * Sets {@code key} to {@code value} only if its value now is {@code expected}, as one atomic
   * step across all the plugin's processes; returns whether it did. Null {@code expected} means
   * "only if absent"; null {@code value} removes the key.
   */
  boolean compareAndSet(String key, byte[] expected, byte[] value);

  /** The keys that start with {@code prefix}, sorted; every key for the empty prefix. */
  List<String> keys(String prefix);

  /** {@link #get}, decoded from UTF-8. */
  default Optional<String> getText(String key) {
    return get(key).map(value -> new String(value, StandardCharsets.UTF_8));
  }

  /** {@link #put}, encoded as UTF-8. */
  default void putText(String key, String value) {
    put(key, value.getBytes(StandardCharsets.UTF_8));
  }
}
