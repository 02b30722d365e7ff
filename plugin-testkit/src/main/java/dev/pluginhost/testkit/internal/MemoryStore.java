package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.plugin.api.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An in-process plugin's key-value store, in memory, with the host's limits and wording: keys of 1
 * to 256 bytes of UTF-8 (INVALID_ARGUMENT), values of at most 64 KiB and at most 1 MiB in all,
 * counting keys, values and 64 bytes per entry (RESOURCE_EXHAUSTED); a refused write changes
 * nothing. This is the host's side:
 * it checks no grant ({@link GrantedStore} does, for the plugin). Thread-safe; every operation is
 * atomic.
 */
public final class MemoryStore implements KeyValueStore {
  public static final int MAX_KEY_BYTES = 256;
  public static final int MAX_VALUE_BYTES = 64 * 1024;
  public static final long MAX_TOTAL_BYTES = 1024 * 1024;
  public static final int ENTRY_OVERHEAD_BYTES = 64;

  private final String pluginId;
  private final TreeMap<String, byte[]> entries = new TreeMap<>();
  private long totalBytes;

  public MemoryStore(String pluginId) {
    this.pluginId = pluginId;
  }

  @Override
  public synchronized Optional<byte[]> get(String key) {
    checkKey(Objects.requireNonNull(key, "key"));
    byte[] value = entries.get(key);
    return value == null ? Optional.empty() : Optional.of(value.clone());
  }

  @Override
  public void put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    write(Objects.requireNonNull(key, "key"), value, false, null);
  }

  @Override
  public boolean delete(String key) {
    return write(Objects.requireNonNull(key, "key"), null, false, null);
  }

  @Override
  public boolean compareAndSet(String key, byte[] expected, byte[] value) {
    return write(Objects.requireNonNull(key, "key"), value, true, expected);
  }

  @Override
  public synchronized List<String> keys(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    List<String> keys = new ArrayList<>();
    for (String key : entries.tailMap(prefix, true).keySet()) {
      if (!key.startsWith(prefix)) {
        break;
      }
      keys.add(key);
    }
    return List.copyOf(keys);
  }

  /** The bytes of keys and values held now. */
  public synchronized long totalBytes() {
    return totalBytes;
  }

  /**
   * Sets {@code key} to {@code value} (null removes it), only if {@code conditional} is false or
   * its value now equals {@code expected} (null: absent). Returns whether it changed anything, or
   * for an unconditional removal whether the key was there; as the host's store does.
   */
  private synchronized boolean write(String key, byte[] value, boolean conditional, byte[] expected) {
    checkKey(key);
    if (value != null && value.length > MAX_VALUE_BYTES) {
      throw new HostServiceException(
          Code.RESOURCE_EXHAUSTED, "a value is at most " + MAX_VALUE_BYTES + " bytes; this one is " + value.length);
    }
    byte[] current = entries.get(key);
    if (conditional && !sameValue(current, expected)) {
      return false;
    }
    long after = totalBytes - size(key, current) + size(key, value);
    if (value != null && after > MAX_TOTAL_BYTES) {
      throw new HostServiceException(
          Code.RESOURCE_EXHAUSTED,
          "plugin " + pluginId + "'s store would hold " + after + " bytes, over its limit of " + MAX_TOTAL_BYTES
              + " (keys, values and " + ENTRY_OVERHEAD_BYTES + " bytes an entry); delete keys first");
    }
    if (current == null && value == null) {
      return conditional;
    }
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(key, value.clone());
    }
    totalBytes = after;
    return true;
  }

  private static boolean sameValue(byte[] current, byte[] expected) {
    return current == null ? expected == null : expected != null && Arrays.equals(current, expected);
  }

  private static long size(String key, byte[] value) {
    return value == null ? 0 : ENTRY_OVERHEAD_BYTES + utf8Length(key) + value.length;
  }

  private static int utf8Length(String key) {
    return key.getBytes(StandardCharsets.UTF_8).length;
  }

  private static void checkKey(String key) {
    int bytes = utf8Length(key);
    if (bytes == 0 || bytes > MAX_KEY_BYTES) {
      throw new HostServiceException(
          Code.INVALID_ARGUMENT, "a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8; this one is " + bytes);
    }
  }
}
