package dev.pluginhost.host.internal.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyValueStoreFileTest {
  @TempDir Path dir;

  private Path file() {
    return dir.resolve("stores").resolve("p.pb");
  }

  private KeyValueStoreFile open() {
    return new KeyValueStoreFile("p", file());
  }

  private static ByteString bytes(String text) {
    return ByteString.copyFromUtf8(text);
  }

  private static ByteString filled(int size) {
    byte[] value = new byte[size];
    java.util.Arrays.fill(value, (byte) 'v');
    return ByteString.copyFrom(value);
  }

  @Test
  void get_ofAnAbsentKey_isNull() {
    assertNull(open().get("missing"));
  }

  @Test
  void put_thenGet_returnsTheValue() {
    KeyValueStoreFile store = open();

    assertTrue(store.put("k", bytes("one"), false, null));

    assertEquals(bytes("one"), store.get("k"));
  }

  @Test
  void put_overAnExistingValue_replacesIt() {
    KeyValueStoreFile store = open();
    store.put("k", bytes("one"), false, null);

    assertTrue(store.put("k", bytes("two"), false, null));

    assertEquals(bytes("two"), store.get("k"));
  }

  @Test
  void put_ofAnEmptyValue_storesAnEmptyValue_notAnAbsence() {
    KeyValueStoreFile store = open();

    store.put("k", ByteString.EMPTY, false, null);

    assertEquals(ByteString.EMPTY, store.get("k"));
    assertEquals(List.of("k"), store.keys(""));
  }

  @Test
  void delete_ofAPresentKey_removesIt_andSaysItWasThere() {
    KeyValueStoreFile store = open();
    store.put("k", bytes("one"), false, null);

    assertTrue(store.put("k", null, false, null));

    assertNull(store.get("k"));
    assertEquals(List.of(), store.keys(""));
  }

  @Test
  void delete_ofAnAbsentKey_returnsFalse() {
    assertFalse(open().put("k", null, false, null));
  }

  @Test
  void compareAndSet_withMatchingExpected_writes() {
    KeyValueStoreFile store = open();
    store.put("k", bytes("one"), false, null);

    assertTrue(store.put("k", bytes("two"), true, bytes("one")));

    assertEquals(bytes("two"), store.get("k"));
  }

  @Test
  void compareAndSet_withOtherExpected_changesNothing() {
    KeyValueStoreFile store = open();
    store.put("k", bytes("one"), false, null);

    assertFalse(store.put("k", bytes("two"), true, bytes("zero")));
    assertFalse(store.put("k", null, true, bytes("zero")));

    assertEquals(bytes("one"), store.get("k"));
  }

  @Test
  void compareAndSet_withNullExpected_writesOnlyIfAbsent() {
    KeyValueStoreFile store = open();

    assertTrue(store.put("k", bytes("first"), true, null));
    assertFalse(store.put("k", bytes("second"), true, null));

    assertEquals(bytes("first"), store.get("k"));
  }

  @Test
  void compareAndSet_withEmptyExpected_doesNotMatchAnAbsentKey() {
    KeyValueStoreFile store = open();

    assertFalse(store.put("k", bytes("v"), true, ByteString.EMPTY));

    assertNull(store.get("k"));
  }

  @Test
  void compareAndSet_withNullValue_deletesOnlyIfMatching() {
    KeyValueStoreFile store = open();
    store.put("k", bytes("one"), false, null);

    assertTrue(store.put("k", null, true, bytes("one")));

    assertNull(store.get("k"));
  }

  @Test
  void keys_withAPrefix_areSortedAndStopWhereThePrefixEnds() {
    KeyValueStoreFile store = open();
    for (String key : List.of("b/2", "a", "b/10", "b", "b/1", "c/1", "b0", "ba")) {
      store.put(key, bytes(key), false, null);
    }

    assertEquals(List.of("b/1", "b/10", "b/2"), store.keys("b/"));
    assertEquals(List.of("b", "b/1", "b/10", "b/2", "b0", "ba"), store.keys("b"));
    assertEquals(List.of("a", "b", "b/1", "b/10", "b/2", "b0", "ba", "c/1"), store.keys(""));
    assertEquals(List.of(), store.keys("d"));
    assertEquals(List.of(), store.keys("b/3"));
  }

  @Test
  void key_emptyOrOver256BytesOfUtf8_failsWithInvalidArgument() {
    KeyValueStoreFile store = open();
    // 129 two-byte characters: 129 chars, but 258 bytes of UTF-8.
    String wide = "é".repeat(129);

    for (String key : List.of("", "k".repeat(KeyValueStoreFile.MAX_KEY_BYTES + 1), wide)) {
      StatusRuntimeException put = assertThrows(StatusRuntimeException.class, () -> store.put(key, bytes("v"), false, null));
      StatusRuntimeException get = assertThrows(StatusRuntimeException.class, () -> store.get(key));
      assertEquals(Status.Code.INVALID_ARGUMENT, put.getStatus().getCode());
      assertEquals(Status.Code.INVALID_ARGUMENT, get.getStatus().getCode());
    }
    assertEquals(List.of(), store.keys(""));
  }

  @Test
  void key_ofExactly256BytesOfUtf8_isAccepted() {
    KeyValueStoreFile store = open();
    String key = "é".repeat(128);

    store.put(key, bytes("v"), false, null);

    assertEquals(bytes("v"), store.get(key));
  }

  @Test
  void value_over64KiB_failsWithResourceExhausted_and64KiBIsAccepted() {
    KeyValueStoreFile store = open();

    StatusRuntimeException tooBig =
        assertThrows(
            StatusRuntimeException.class,
            () -> store.put("k", filled(KeyValueStoreFile.MAX_VALUE_BYTES + 1), false, null));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, tooBig.getStatus().getCode());
    assertNull(store.get("k"));

    store.put("k", filled(KeyValueStoreFile.MAX_VALUE_BYTES), false, null);
    assertEquals(KeyValueStoreFile.MAX_VALUE_BYTES, store.get("k").size());
  }

  @Test
  void total_over1MiB_failsWithResourceExhausted_andChangesNothing() throws IOException {
    KeyValueStoreFile store = open();
    long used = fillTo(store, KeyValueStoreFile.MAX_TOTAL_BYTES);
    assertEquals(KeyValueStoreFile.MAX_TOTAL_BYTES, used, "the store takes exactly its limit");
    byte[] onDisk = Files.readAllBytes(file());

    StatusRuntimeException full =
        assertThrows(StatusRuntimeException.class, () -> store.put("x", bytes("1"), false, null));
    List<String> keys = store.keys("");
    String last = keys.get(keys.size() - 1); // the one value smaller than 64 KiB
    assertTrue(store.get(last).size() < KeyValueStoreFile.MAX_VALUE_BYTES);
    StatusRuntimeException grow =
        assertThrows(StatusRuntimeException.class, () -> store.put(last, filled(KeyValueStoreFile.MAX_VALUE_BYTES), true, store.get(last)));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, grow.getStatus().getCode());
    assertTrue(full.getStatus().getDescription().contains("plugin p"), full.getStatus().getDescription());
    assertNull(store.get("x"));
    assertArrayEquals(onDisk, Files.readAllBytes(file()), "a refused write reached the file");
  }

  @Test
  void total_atTheLimit_stillTakesAnOverwriteThatShrinks_andADelete() {
    KeyValueStoreFile store = open();
    fillTo(store, KeyValueStoreFile.MAX_TOTAL_BYTES);

    assertTrue(store.put("k00", bytes("small"), false, null));
    assertTrue(store.put("k01", null, false, null));

    assertEquals(bytes("small"), store.get("k00"));
    assertTrue(store.put("x", bytes("now there is room"), false, null));
  }

  @Test
  void total_countsFreedBytes_soDeletedSpaceCanBeUsedAgain() {
    KeyValueStoreFile store = open();
    fillTo(store, KeyValueStoreFile.MAX_TOTAL_BYTES);
    ByteString old = store.get("k03");

    store.put("k03", null, false, null);

    assertTrue(store.put("k03", old, false, null), "space freed by a delete was not counted as free");
  }

  /**
   * Fills {@code store} with keys k00, k01, ... up to exactly {@code total} bytes of entries (key,
   * value and {@link KeyValueStoreFile#ENTRY_OVERHEAD_BYTES} each); returns the bytes used.
   */
  private static long fillTo(KeyValueStoreFile store, long total) {
    long used = 0;
    for (int i = 0; used < total; i++) {
      String key = String.format("k%02d", i);
      long room = total - used - key.length() - KeyValueStoreFile.ENTRY_OVERHEAD_BYTES;
      int size = (int) Math.min(KeyValueStoreFile.MAX_VALUE_BYTES, room);
      store.put(key, filled(size), false, null);
      used += KeyValueStoreFile.ENTRY_OVERHEAD_BYTES + key.length() + size;
    }
    return used;
  }

  @Test
  void eachEntry_counts64BytesBesidesItsKeyAndValue_soEmptyValuesCannotFillTheStoreForFree() {
    KeyValueStoreFile store = new KeyValueStoreFile("p", null); // in memory: thousands of puts
    long entry = KeyValueStoreFile.ENTRY_OVERHEAD_BYTES + "k00000".length();
    long fits = KeyValueStoreFile.MAX_TOTAL_BYTES / entry;

    for (int i = 0; i < fits; i++) {
      store.put(String.format("k%05d", i), ByteString.EMPTY, false, null);
    }
    StatusRuntimeException full =
        assertThrows(StatusRuntimeException.class, () -> store.put(String.format("k%05d", fits), ByteString.EMPTY, false, null));

    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
    assertTrue(full.getStatus().getDescription().contains("64 bytes an entry"), full.getStatus().getDescription());
    assertEquals(fits, store.keys("").size());
  }

  @Test
  void newInstance_onTheSameFile_seesTheData_andItsSizeCounts() {
    KeyValueStoreFile first = open();
    first.put("a", bytes("1"), false, null);
    first.put("b", bytes("2"), false, null);
    first.put("c", bytes("3"), false, null);
    first.put("b", null, false, null);
    fillTo(first, KeyValueStoreFile.MAX_TOTAL_BYTES - 2 * (KeyValueStoreFile.ENTRY_OVERHEAD_BYTES + 2)); // with a and c

    KeyValueStoreFile second = open();

    assertEquals(bytes("1"), second.get("a"));
    assertNull(second.get("b"));
    assertEquals(bytes("3"), second.get("c"));
    assertEquals(first.keys(""), second.keys(""));
    StatusRuntimeException full =
        assertThrows(StatusRuntimeException.class, () -> second.put("d", bytes("4"), false, null));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode(), "a reloaded store forgot its size");
  }

  @Test
  void corruptFile_isMovedAside_andTheStoreStartsEmpty() throws IOException {
    Files.createDirectories(file().getParent());
    byte[] corrupt = {0x0a, 0x7f, 0x01}; // a map entry that says 127 bytes follow; 1 does
    Files.write(file(), corrupt);

    KeyValueStoreFile store = open();

    assertEquals(List.of(), store.keys(""));
    List<Path> aside = unreadable();
    assertEquals(1, aside.size(), "expected one file moved aside: " + aside);
    assertArrayEquals(corrupt, Files.readAllBytes(aside.get(0)), "the corrupt file was not kept as it was");
    assertFalse(Files.exists(file()));

    store.put("k", bytes("fresh"), false, null);
    assertEquals(bytes("fresh"), open().get("k"));
    assertArrayEquals(corrupt, Files.readAllBytes(aside.get(0)), "the corrupt file was overwritten");
  }

  @Test
  void fileCutShortToNothing_isNotTakenForAnEmptyStore_andIsMovedAside() throws IOException {
    Files.createDirectories(file().getParent());
    Files.write(file(), new byte[0]); // an empty message parses; only the format tells it from a store

    KeyValueStoreFile store = open();

    assertEquals(List.of(), store.keys(""));
    assertEquals(1, unreadable().size(), "the cut-short file was not moved aside");
    assertFalse(Files.exists(file()));
  }

  @Test
  void storeEmptiedByItsPlugin_reloadsAsEmpty_andStaysInPlace() throws IOException {
    KeyValueStoreFile first = open();
    first.put("k", bytes("v"), false, null);
    first.put("k", null, false, null);

    KeyValueStoreFile second = open();

    assertEquals(List.of(), second.keys(""));
    assertEquals(List.of(), unreadable(), "an empty store was taken for a damaged one");
    assertTrue(Files.exists(file()));
  }

  @Test
  void snapshotOfAnotherFormat_isMovedAside() throws IOException {
    Files.createDirectories(file().getParent());
    byte[] other = dev.pluginhost.proto.host.v1.KeyValueSnapshot.newBuilder()
        .putEntries("k", bytes("v")).setFormat(2).build().toByteArray();
    Files.write(file(), other);

    assertEquals(List.of(), open().keys(""));
    assertEquals(1, unreadable().size());
  }

  @Test
  void fileThatCannotBeReadNow_isUnavailable_andLeftWhereItIs() throws IOException {
    // Permissions do not stop root: a directory in the file's place makes the read itself fail,
    // an I/O error like running out of descriptors, not a damaged store.
    Files.createDirectories(file());

    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, this::open);

    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("plugin p"), e.getStatus().getDescription());
    assertFalse(e.getStatus().getDescription().contains(dir.toString()), "a host path reached the plugin");
    assertTrue(Files.isDirectory(file()), "the unreadable file was moved");
    assertEquals(List.of(), unreadable());

    Files.delete(file());
    open().put("k", bytes("v"), false, null);
    assertEquals(bytes("v"), open().get("k"));
  }

  private List<Path> unreadable() throws IOException {
    try (Stream<Path> files = Files.list(file().getParent())) {
      return files.filter(f -> f.getFileName().toString().startsWith("p.pb.unreadable-")).toList();
    }
  }

  @Test
  void failedSave_failsWithFailedPrecondition_namingNoPath_andLeavesMemoryAndFileAsTheyWere() throws IOException {
    // Permissions do not stop root, so the save is made to fail another way: the name of the
    // file it writes first is taken by a directory.
    KeyValueStoreFile store = open();
    store.put("a", bytes("1"), false, null);
    store.put("b", bytes("2"), false, null);
    byte[] onDisk = Files.readAllBytes(file());
    Path blocker = file().resolveSibling("p.pb.next");
    Files.createDirectory(blocker);

    StatusRuntimeException put = assertThrows(StatusRuntimeException.class, () -> store.put("c", bytes("3"), false, null));
    StatusRuntimeException overwrite = assertThrows(StatusRuntimeException.class, () -> store.put("a", bytes("9"), false, null));
    StatusRuntimeException delete = assertThrows(StatusRuntimeException.class, () -> store.put("b", null, false, null));
    StatusRuntimeException cas = assertThrows(StatusRuntimeException.class, () -> store.put("a", bytes("8"), true, bytes("1")));

    for (StatusRuntimeException e : List.of(put, overwrite, delete, cas)) {
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("plugin p"), e.getStatus().getDescription());
      assertFalse(e.getStatus().getDescription().contains(dir.toString()), e.getStatus().getDescription());
      assertFalse(e.getStatus().getDescription().contains("p.pb"), e.getStatus().getDescription());
    }
    assertEquals(List.of("a", "b"), store.keys(""));
    assertEquals(bytes("1"), store.get("a"));
    assertEquals(bytes("2"), store.get("b"));
    assertArrayEquals(onDisk, Files.readAllBytes(file()));

    Files.delete(blocker);
    assertTrue(store.put("c", bytes("3"), false, null));
    assertEquals(List.of("a", "b", "c"), open().keys(""));
  }

  @Test
  void failedSave_doesNotCountTheRefusedBytes() throws IOException {
    KeyValueStoreFile store = open();
    Files.createDirectories(file().getParent());
    Path blocker = Files.createDirectory(file().resolveSibling("p.pb.next"));
    assertThrows(StatusRuntimeException.class, () -> store.put("big", filled(KeyValueStoreFile.MAX_VALUE_BYTES), false, null));
    Files.delete(blocker);

    assertEquals(KeyValueStoreFile.MAX_TOTAL_BYTES, fillTo(store, KeyValueStoreFile.MAX_TOTAL_BYTES), "the store lost room to a failed save");
  }

  @Test
  void inMemoryStore_withoutAFile_worksAndWritesNothing() throws IOException {
    KeyValueStoreFile store = new KeyValueStoreFile("p", null);

    store.put("k", bytes("v"), false, null);

    assertEquals(bytes("v"), store.get("k"));
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(0, files.count());
    }
  }
}
