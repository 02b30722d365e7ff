package dev.pluginhost.host.internal.services;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginService;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * What the host services of all plugins of one host share: each plugin's key-value store and
 * locks (which outlive its processes), the embedding application's services, the way to reach
 * other plugins, and the threads that run requests. Created with the host, closed after its
 * plugins.
 *
 * <p>Threads are bounded: {@value #REQUEST_THREADS} run the host's own quick work (store, log,
 * replies) in turn, and at most {@value #SERVICE_THREADS} run the application's services at once,
 * {@value #SERVICE_REQUESTS_PER_PLUGIN} of them for any one plugin; a request beyond is refused
 * with RESOURCE_EXHAUSTED.
 */
public final class HostServiceHub implements AutoCloseable {
  static final int REQUEST_THREADS = 4;
  static final int SERVICE_THREADS = 64;
  static final int SERVICE_REQUESTS_PER_PLUGIN = 16;

  private final Path storeDirectory;
  private final Map<String, KeyValueStoreFile> stores = new ConcurrentHashMap<>();
  private final Map<String, LockTable> locks = new ConcurrentHashMap<>();
  private final Map<String, Semaphore> serviceSlots = new ConcurrentHashMap<>();
  private final Set<ProcessServices> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService requests =
      Executors.newFixedThreadPool(
          REQUEST_THREADS, new ThreadFactoryBuilder().setNameFormat("pluginhost-services-%d").setDaemon(true).build());
  private final ThreadPoolExecutor applicationServices =
      new ThreadPoolExecutor(
          0, SERVICE_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
          new ThreadFactoryBuilder().setNameFormat("pluginhost-app-service-%d").setDaemon(true).build());
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

  /** The places for one plugin's requests to the application's services, shared by its processes. */
  Semaphore serviceSlots(String pluginId) {
    return serviceSlots.computeIfAbsent(pluginId, id -> new Semaphore(SERVICE_REQUESTS_PER_PLUGIN));
  }

  Optional<PluginHandle> plugin(String id) {
    return plugins.apply(id);
  }

  /** The threads that run the host's own share of requests; never a host I/O thread. */
  ExecutorService requests() {
    return requests;
  }

  /** The threads that run the application's services; refuses work beyond its size. */
  ExecutorService applicationServices() {
    return applicationServices;
  }

  void opened(ProcessServices services) {
    open.add(services);
  }

  void closed(ProcessServices services) {
    open.remove(services);
  }

  /** Closes every process's services still open (a process the host could not stop), then the threads. */
  @Override
  public void close() {
    for (ProcessServices services : List.copyOf(open)) {
      services.close();
    }
    requests.shutdownNow();
    applicationServices.shutdownNow();
  }
}
