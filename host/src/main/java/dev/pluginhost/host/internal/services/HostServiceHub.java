package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginService;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * What the host services of all plugins of one host share: each plugin's key-value store and
 * locks (which outlive its processes), the embedding application's services, the way to reach
 * other plugins, and the threads that run requests. Created with the host, closed after its
 * plugins.
 */
public final class HostServiceHub implements AutoCloseable {
  private final Path storeDirectory;
  private final Map<String, KeyValueStoreFile> stores = new ConcurrentHashMap<>();
  private final Map<String, LockTable> locks = new ConcurrentHashMap<>();
  private final ExecutorService requests =
      Executors.newCachedThreadPool(
          new ThreadFactoryBuilder().setNameFormat("pluginhost-services-%d").setDaemon(true).build());
  private volatile Map<String, PluginService> services = Map.of();
  private volatile Function<String, Optional<PluginHandle>> plugins = id -> Optional.empty();

  /** @param storeDirectory where plugins' key-value stores are kept, one file each; null: in memory */
  public HostServiceHub(Path storeDirectory) {
    this.storeDirectory = storeDirectory;
  }

  /** Gives plugins the application's services and, through {@code plugins}, each other. Call before any spawn. */
  public void connect(Map<String, PluginService> services, Function<String, Optional<PluginHandle>> plugins) {
    this.services = Map.copyOf(services);
    this.plugins = plugins;
  }

  KeyValueStoreFile store(String pluginId) {
    return stores.computeIfAbsent(
        pluginId, id -> new KeyValueStoreFile(id, storeDirectory == null ? null : storeDirectory.resolve(id + ".pb")));
  }

  LockTable locks(String pluginId) {
    return locks.computeIfAbsent(pluginId, LockTable::new);
  }

  PluginService service(String name) {
    return services.get(name);
  }

  Optional<PluginHandle> plugin(String id) {
    return plugins.apply(id);
  }

  /** The threads that run host-service requests; never a host I/O thread. */
  ExecutorService requests() {
    return requests;
  }

  @Override
  public void close() {
    requests.shutdownNow();
  }
}
