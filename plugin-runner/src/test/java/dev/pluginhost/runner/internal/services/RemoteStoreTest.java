package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListResponse;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import dev.pluginhost.proto.runner.v1.KvPutResponse;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RemoteStoreTest {
  private static final long TIMEOUT_SECONDS = Cleanup.TIMEOUT_SECONDS;

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;

  private FakeHost host;
  private HostOnSocket socket;
  private RemoteStore store;

  @BeforeEach
  void setUp() throws Exception {
    socket = new HostOnSocket(dir, cleanup);
    host = socket.host;
    store = new RemoteStore(socket.connection, new GrantCheck("p", Set.of("kv")));
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void get_ofAFoundKey_isItsValue_andOfAMissingKeyEmpty() {
    host.onGet = (request, responses) -> FakeHost.answer(responses, request.getKey().equals("k")
        ? KvGetResponse.newBuilder().setFound(true).setValue(ByteString.copyFromUtf8("v")).build()
        : KvGetResponse.getDefaultInstance());

    assertArrayEquals(utf8("v"), store.get("k").orElseThrow());
    assertEquals(Optional.empty(), store.get("other"));
  }

  @Test
  void get_ofAnEmptyValue_isPresentAndEmpty() {
    host.onGet = (request, responses) -> FakeHost.answer(responses, KvGetResponse.newBuilder().setFound(true).build());

    assertArrayEquals(new byte[0], store.get("k").orElseThrow());
  }

  @Test
  void put_sendsKeyAndValue_unconditionally() throws Exception {
    store.put("k", utf8("v"));

    KvPutRequest request = FakeHost.next(host.puts, TIMEOUT_SECONDS);
    assertEquals("k", request.getKey());
    assertTrue(request.hasValue());
    assertEquals(ByteString.copyFromUtf8("v"), request.getValue());
    assertFalse(request.getConditional());
    assertFalse(request.hasExpected());
  }

  @Test
  void put_ofAnEmptyValue_sendsAValue_notADelete() throws Exception {
    store.put("k", new byte[0]);

    assertTrue(FakeHost.next(host.puts, TIMEOUT_SECONDS).hasValue());
  }

  @Test
  void delete_sendsNoValue_andSaysWhetherTheKeyWasThere() throws Exception {
    host.onPut = (request, responses) -> FakeHost.answer(responses, KvPutResponse.newBuilder().setApplied(false).build());

    assertFalse(store.delete("k"));

    KvPutRequest request = FakeHost.next(host.puts, TIMEOUT_SECONDS);
    assertFalse(request.hasValue());
    assertFalse(request.getConditional());
  }

  @Test
  void compareAndSet_withNullExpected_meansOnlyIfAbsent() throws Exception {
    assertTrue(store.compareAndSet("k", null, utf8("v")));

    KvPutRequest request = FakeHost.next(host.puts, TIMEOUT_SECONDS);
    assertTrue(request.getConditional());
    assertFalse(request.hasExpected());
    assertEquals(ByteString.copyFromUtf8("v"), request.getValue());
  }

  @Test
  void compareAndSet_withNullValue_isAConditionalDelete() throws Exception {
    host.onPut = (request, responses) -> FakeHost.answer(responses, KvPutResponse.newBuilder().setApplied(false).build());

    assertFalse(store.compareAndSet("k", utf8("old"), null));

    KvPutRequest request = FakeHost.next(host.puts, TIMEOUT_SECONDS);
    assertTrue(request.getConditional());
    assertEquals(ByteString.copyFromUtf8("old"), request.getExpected());
    assertFalse(request.hasValue());
  }

  @Test
  void compareAndSet_withEmptyExpected_sendsAnEmptyExpected_notAbsent() throws Exception {
    store.compareAndSet("k", new byte[0], utf8("v"));

    assertTrue(FakeHost.next(host.puts, TIMEOUT_SECONDS).hasExpected());
  }

  @Test
  void keys_areTheHostsList() {
    host.onList = (request, responses) ->
        FakeHost.answer(responses, KvListResponse.newBuilder().addKeys(request.getPrefix() + "1").addKeys(request.getPrefix() + "2").build());

    List<String> keys = store.keys("a/");

    assertEquals(List.of("a/1", "a/2"), keys);
    assertThrows(UnsupportedOperationException.class, () -> keys.add("x"));
  }

  @Test
  void hostRefusal_isAHostServiceExceptionWithItsCodeAndWords() {
    host.onPut = (request, responses) ->
        responses.onError(Status.RESOURCE_EXHAUSTED.withDescription("plugin p's store would hold 1048577 bytes").asRuntimeException());

    HostServiceException e = assertThrows(HostServiceException.class, () -> store.put("k", utf8("v")));

    assertEquals(HostServiceException.Code.RESOURCE_EXHAUSTED, e.code());
    assertEquals("RESOURCE_EXHAUSTED: plugin p's store would hold 1048577 bytes", e.getMessage());
  }

  @Test
  void hostDenyingTheGrant_namesIt() {
    Metadata trailers = new Metadata();
    trailers.put(WireProtocol.MISSING_GRANT_TRAILER, "kv");
    host.onGet = (request, responses) ->
        responses.onError(Status.PERMISSION_DENIED.withDescription("plugin p was not granted \"kv\"").asRuntimeException(trailers));

    HostServiceException e = assertThrows(HostServiceException.class, () -> store.get("k"));

    assertEquals(Optional.of("kv"), e.missingGrant());
  }

  @Test
  void withoutTheGrant_everyOperationFailsAtOnce_andNothingIsSent() {
    RemoteStore ungranted = new RemoteStore(socket.connection, new GrantCheck("p", Set.of("locks")));

    for (org.junit.jupiter.api.function.Executable operation : List.<org.junit.jupiter.api.function.Executable>of(
        () -> ungranted.get("k"),
        () -> ungranted.put("k", utf8("v")),
        () -> ungranted.delete("k"),
        () -> ungranted.compareAndSet("k", null, utf8("v")),
        () -> ungranted.keys(""))) {
      HostServiceException e = assertThrows(HostServiceException.class, operation);
      assertEquals(Optional.of("kv"), e.missingGrant());
    }
    assertTrue(host.tokens.isEmpty(), "a request reached the host");
  }

  @Test
  void nullArguments_failBeforeAnythingIsSent() {
    assertThrows(NullPointerException.class, () -> store.get(null));
    assertThrows(NullPointerException.class, () -> store.put("k", null));
    assertThrows(NullPointerException.class, () -> store.put(null, utf8("v")));
    assertThrows(NullPointerException.class, () -> store.keys(null));
    assertTrue(host.tokens.isEmpty());
  }
}
