package dev.pluginhost.runner.internal.services;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.proto.runner.v1.KvGetRequest;
import dev.pluginhost.proto.runner.v1.KvGetResponse;
import dev.pluginhost.proto.runner.v1.KvListRequest;
import dev.pluginhost.proto.runner.v1.KvPutRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** The plugin's key-value store, kept by the host. */
final class RemoteStore implements KeyValueStore {
  static final Duration TIMEOUT = Duration.ofSeconds(10);
  private final HostConnection host;
  private final GrantCheck grants;

  RemoteStore(HostConnection host, GrantCheck grants) {
    this.host = host;
    this.grants = grants;
  }

  @Override
  public Optional<byte[]> get(String key) {
    Objects.requireNonNull(key, "key");
    grants.require("kv");
    try {
      KvGetResponse response = host.blocking(TIMEOUT).kvGet(KvGetRequest.newBuilder().setKey(key).build());
      return response.getFound() ? Optional.of(response.getValue().toByteArray()) : Optional.empty();
    } catch (StatusRuntimeException e) {
      throw HostConnection.translate(e);
    }
  }

  @Override
  public void put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    write(KvPutRequest.newBuilder().setKey(Objects.requireNonNull(key, "key")).setValue(ByteString.copyFrom(value)));
  }

  @Override
  public boolean delete(String key) {
    return write(KvPutRequest.newBuilder().setKey(Objects.requireNonNull(key, "key")));
  }

  @Override
  public boolean compareAndSet(String key, byte[] expected, byte[] value) {
    KvPutRequest.Builder request = KvPutRequest.newBuilder().setKey(Objects.requireNonNull(key, "key")).setConditional(true);
    if (expected != null) {
      request.setExpected(ByteString.copyFrom(expected));
    }
    if (value != null) {
      request.setValue(ByteString.copyFrom(value));
    }
    return write(request);
  }

  @Override
  public List<String> keys(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    grants.require("kv");
    try {
      return List.copyOf(host.blocking(TIMEOUT).kvList(KvListRequest.newBuilder().setPrefix(prefix).build()).getKeysList());
    } catch (StatusRuntimeException e) {
      throw HostConnection.translate(e);
    }
  }

  private boolean write(KvPutRequest.Builder request) {
    grants.require("kv");
    try {
      return host.blocking(TIMEOUT).kvPut(request.build()).getApplied();
    } catch (StatusRuntimeException e) {
      throw HostConnection.translate(e);
    }
  }
}
