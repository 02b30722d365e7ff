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
 * plugin's processes, and on disk. Keys are 1 to 256 bytes of UTF-8 (else INVALID_ARGUMENT); a
 * value is at most 64 KiB, and the whole store at most 1 MiB, counting keys, values and 64 bytes
 * per entry (else RESOURCE_EXHAUSTED); a write over a limit changes nothing. Each operation waits
 * at most 10 seconds for the host.
 *
 * <p>Every method throws {@link HostServiceException}: PERMISSION_DENIED without the grant;
 * FAILED_PRECONDITION when the host cannot save the store (its disk is full or read-only);
 * UNAVAILABLE when the host cannot be reached; DEADLINE_EXCEEDED after 10 seconds. After
 * UNAVAILABLE or DEADLINE_EXCEEDED a write may or may not have happened: read before retrying
 * one that must not happen twice, or use {@link #compareAndSet}.
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
