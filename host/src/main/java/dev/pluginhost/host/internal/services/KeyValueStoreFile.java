package dev.pluginhost.host.internal.services;

import com.google.common.base.Utf8;
import com.google.protobuf.ByteString;
import dev.pluginhost.proto.host.v1.KeyValueSnapshot;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
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
 * (a new file, forced to disk, moved over the old, and the directory forced), so it outlives the
 * plugin's processes and, with a data directory that stays, the host. Small by design, so writing
 * it whole is cheap: keys of 1 to 256 bytes, values of at most 64 KiB, at most 1 MiB in all,
 * counting {@value #ENTRY_OVERHEAD_BYTES} bytes per entry besides its key and value (so a million
 * empty keys cannot hide in "1 MiB").
 *
 * <p>Thread-safe; every operation is atomic. A write that cannot be saved fails with
 * FAILED_PRECONDITION (a full or read-only disk needs someone to act) and leaves the store as it
 * was.
 */
final class KeyValueStoreFile {
  static final int MAX_KEY_BYTES = 256;
  static final int MAX_VALUE_BYTES = 64 * 1024;
  static final long MAX_TOTAL_BYTES = 1024 * 1024;
  static final int ENTRY_OVERHEAD_BYTES = 64;
  private static final int FORMAT = 1;
  private static final Logger log = LoggerFactory.getLogger(KeyValueStoreFile.class);

  private final String pluginId;
  private final Path file;
  private final TreeMap<String, ByteString> entries = new TreeMap<>();
  private long totalBytes;

  /**
   * @param file where the store lives; null keeps it in memory for the host's life
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE if the file exists but cannot be read now
   *     (it is left as it is); a file that is not a store is moved aside and the store starts empty
   */
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
      throw Status.RESOURCE_EXHAUSTED
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
                  + " (keys, values and " + ENTRY_OVERHEAD_BYTES + " bytes an entry); delete keys first")
          .asRuntimeException();
    }
    if (current == null && value == null) {
      return conditional;
    }
    if (value == null) {
      entries.remove(key);
    } else {
      entries.put(key, value);
    }
    try {
      save();
    } catch (IOException e) {
      // Undo the one change: the store stays as it was.
      if (current == null) {
        entries.remove(key);
      } else {
        entries.put(key, current);
      }
      log.error("plugin {}: cannot save its key-value store to {}", pluginId, file, e);
      throw Status.FAILED_PRECONDITION
          .withDescription("the host could not save plugin " + pluginId + "'s store (the host's log has why)")
          .asRuntimeException();
    }
    totalBytes = after;
    return true;
  }

  private static long size(String key, ByteString value) {
    return value == null ? 0 : ENTRY_OVERHEAD_BYTES + Utf8.encodedLength(key) + value.size();
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
    Path directory = Files.createDirectories(file.getParent());
    Path next = file.resolveSibling(file.getFileName() + ".next");
    try (FileChannel channel =
        FileChannel.open(next, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      KeyValueSnapshot.newBuilder().putAllEntries(entries).setFormat(FORMAT).build().writeTo(Channels.newOutputStream(channel));
      channel.force(true);
    }
    Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    // The rename itself reaches the disk only with its directory.
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some file systems cannot force a directory; the data itself is on disk.
    }
  }

  private void load() {
    if (file == null || !Files.exists(file)) {
      return;
    }
    KeyValueSnapshot snapshot;
    try (InputStream in = Files.newInputStream(file)) {
      snapshot = KeyValueSnapshot.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      snapshot = null;
    } catch (IOException e) {
      // Perhaps out of descriptors, or interrupted: the file may be fine. Leave it; try next time.
      log.error("plugin {}: cannot read its key-value store {} now", pluginId, file, e);
      throw Status.UNAVAILABLE
          .withDescription("the host cannot read plugin " + pluginId + "'s store now (the host's log has why)")
          .asRuntimeException();
    }
    if (snapshot != null && snapshot.getFormat() == FORMAT) {
      for (Map.Entry<String, ByteString> entry : snapshot.getEntriesMap().entrySet()) {
        entries.put(entry.getKey(), entry.getValue());
        totalBytes += size(entry.getKey(), entry.getValue());
      }
    } else {
      // Kept aside for a person to look at, never silently overwritten.
      Path aside = file.resolveSibling(file.getFileName() + ".unreadable-" + Instant.now().toEpochMilli());
      log.error("plugin {}: its key-value store {} is not one (cut short or damaged); moved to {} and starting empty",
          pluginId, file, aside);
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
