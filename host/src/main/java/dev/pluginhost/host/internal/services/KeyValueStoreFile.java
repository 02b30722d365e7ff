package dev.pluginhost.host.internal.services;

import com.google.common.base.Utf8;
import com.google.protobuf.ByteString;
import dev.pluginhost.proto.host.v1.KeyValueSnapshot;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One plugin's key-value store: a sorted map in memory, written whole to a file after every change
 * (atomically: a new file moved over the old), so it outlives the plugin's processes and, with a
 * data directory that stays, the host. Small by design, so writing it whole is cheap: keys of 1 to
 * 256 bytes, values of at most 64 KiB, at most 1 MiB in all.
 *
 * <p>Thread-safe; every operation is atomic. A write that cannot be saved fails with UNAVAILABLE
 * and leaves the store as it was.
 */
final class KeyValueStoreFile {
  static final int MAX_KEY_BYTES = 256;
  static final int MAX_VALUE_BYTES = 64 * 1024;
  static final long MAX_TOTAL_BYTES = 1024 * 1024;
  private static final Logger log = LoggerFactory.getLogger(KeyValueStoreFile.class);

  private final String pluginId;
  private final Path file;
  private final TreeMap<String, ByteString> entries = new TreeMap<>();
  private long totalBytes;

  /** @param file where the store lives; null keeps it in memory for the host's life */
  KeyValueStoreFile(String pluginId, Path file) {
    this.pluginId = pluginId;
    this.file = file;
    load();
  }

  synchronized ByteString get(String key) {
    checkKey(key);
    return entries.get(key);
  }

  synchronized List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    for (String key : entries.tailMap(prefix, true).keySet()) {
      if (!key.startsWith(prefix)) {
        break;
      }
      keys.add(key);
    }
    return keys;
  }

  /**
   * Sets {@code key} to {@code value} (null removes it), only if {@code conditional} is false or
   * its value now equals {@code expected} (null: absent). Returns whether it changed anything, or
   * for an unconditional removal whether the key was there.
   */
  synchronized boolean put(String key, ByteString value, boolean conditional, ByteString expected) {
    checkKey(key);
    if (value != null && value.size() > MAX_VALUE_BYTES) {
      throw Status.INVALID_ARGUMENT
          .withDescription("a value is at most " + MAX_VALUE_BYTES + " bytes; this one is " + value.size())
          .asRuntimeException();
    }
    ByteString current = entries.get(key);
    if (conditional && !java.util.Objects.equals(current, expected)) {
      return false;
    }
    long after = totalBytes - size(key, current) + size(key, value);
    if (value != null && after > MAX_TOTAL_BYTES) {
      throw Status.RESOURCE_EXHAUSTED
          .withDescription(
              "plugin " + pluginId + "'s store would hold " + after + " bytes, over its limit of " + MAX_TOTAL_BYTES
                  + " (keys and values); delete keys first")
          .asRuntimeException();
    }
    if (current == null && value == null) {
      return conditional;
    }
    TreeMap<String, ByteString> before = new TreeMap<>(entries);
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(key, value);
    }
    try {
      save();
    } catch (IOException e) {
      entries.clear();
      entries.putAll(before);
      log.error("plugin {}: cannot save its key-value store to {}", pluginId, file, e);
      throw Status.UNAVAILABLE
          .withDescription("the host could not save plugin " + pluginId + "'s store: " + e.getMessage())
          .asRuntimeException();
    }
    totalBytes = after;
    return true;
  }

  private static long size(String key, ByteString value) {
    return value == null ? 0 : Utf8.encodedLength(key) + value.size();
  }

  private static void checkKey(String key) {
    int bytes = Utf8.encodedLength(key);
    if (bytes == 0 || bytes > MAX_KEY_BYTES) {
      throw Status.INVALID_ARGUMENT
          .withDescription("a key is 1 to " + MAX_KEY_BYTES + " bytes of UTF-8; this one is " + bytes)
          .asRuntimeException();
    }
  }

  private void save() throws IOException {
    if (file == null) {
      return;
    }
    Files.createDirectories(file.getParent());
    Path next = file.resolveSibling(file.getFileName() + ".next");
    try (OutputStream out = Files.newOutputStream(next)) {
      KeyValueSnapshot.newBuilder().putAllEntries(entries).build().writeTo(out);
    }
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private void load() {
    if (file == null || !Files.exists(file)) {
      return;
    }
    try (InputStream in = Files.newInputStream(file)) {
      for (Map.Entry<String, ByteString> entry : KeyValueSnapshot.parseFrom(in).getEntriesMap().entrySet()) {
        entries.put(entry.getKey(), entry.getValue());
        totalBytes += size(entry.getKey(), entry.getValue());
      }
    } catch (IOException e) {
      // Kept aside for a person to look at, never silently overwritten.
      Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + Instant.now().toEpochMilli());
      log.error("plugin {}: its key-value store {} cannot be read; moved to {} and starting empty", pluginId, file, aside, e);
      entries.clear();
      totalBytes = 0;
      try {
        Files.move(file, aside);
      } catch (IOException moveFailed) {
        log.error("plugin {}: cannot move {} aside", pluginId, file, moveFailed);
      }
    }
  }
}
