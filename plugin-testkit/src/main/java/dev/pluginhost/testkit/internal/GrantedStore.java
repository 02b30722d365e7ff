package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.KeyValueStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The store as the plugin sees it: null checks, then the grant {@code kv}, then the refusal on the
 * plugin's I/O thread (where the runner will not wait for the host), then the host's store.
 */
public final class GrantedStore implements KeyValueStore {
  private final MemoryStore store;
  private final GrantCheck grants;

  public GrantedStore(MemoryStore store, GrantCheck grants) {
    this.store = store;
    this.grants = grants;
  }

  @Override
  public Optional<byte[]> get(String key) {
    Objects.requireNonNull(key, "key");
    grants.require("kv");
    IoThread.refuseToWait();
    return store.get(key);
  }

  @Override
  public void put(String key, byte[] value) {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(key, "key");
    grants.require("kv");
    IoThread.refuseToWait();
    store.put(key, value);
  }

  @Override
  public boolean delete(String key) {
    Objects.requireNonNull(key, "key");
    grants.require("kv");
    IoThread.refuseToWait();
    return store.delete(key);
  }

  @Override
  public boolean compareAndSet(String key, byte[] expected, byte[] value) {
    Objects.requireNonNull(key, "key");
    grants.require("kv");
    IoThread.refuseToWait();
    return store.compareAndSet(key, expected, value);
  }

  @Override
  public List<String> keys(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    grants.require("kv");
    IoThread.refuseToWait();
    return store.keys(prefix);
  }
}
