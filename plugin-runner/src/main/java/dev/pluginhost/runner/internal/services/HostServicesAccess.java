package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Locks;
import dev.pluginhost.plugin.api.PluginCalls;
import dev.pluginhost.plugin.api.ServiceClient;
import dev.pluginhost.plugin.api.StructuredLog;
import java.util.Set;

/** The host services as the plugin's context hands them out, one instance of each per JVM. */
public final class HostServicesAccess {
  private final GrantCheck grants;
  private final HostConnection host;
  private final RemoteLog log;
  private final KeyValueStore store;
  private final Locks locks;
  private final PluginCalls plugins;

  public HostServicesAccess(String pluginId, Set<String> grants, HostConnection host) {
    this.grants = new GrantCheck(pluginId, grants);
    this.host = host;
    this.log = new RemoteLog(host, this.grants);
    this.store = new RemoteStore(host, this.grants);
    this.locks = new RemoteLocks(host, this.grants);
    this.plugins = new RemotePluginCalls(host, this.grants);
  }

  public Set<String> grants() {
    return grants.grants();
  }

  public StructuredLog log() {
    return log;
  }

  /** Waits, at most {@code timeout}, for the structured records logged so far to reach the host. */
  public void flushLog(java.time.Duration timeout) {
    log.flush(timeout);
  }

  public KeyValueStore store() {
    return store;
  }

  public Locks locks() {
    return locks;
  }

  public PluginCalls plugins() {
    return plugins;
  }

  public ServiceClient service(String name) {
    return new RemoteServiceClient(name, host, grants);
  }
}
