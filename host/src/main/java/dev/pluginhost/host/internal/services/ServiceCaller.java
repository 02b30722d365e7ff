package dev.pluginhost.host.internal.services;

import dev.pluginhost.host.Grants;
import dev.pluginhost.host.OutputLine;
import dev.pluginhost.proto.WireProtocol;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The plugin process a services socket belongs to: the caller of every request that comes through
 * it, whatever the request says.
 *
 * @param pid the process's pid as the host sees it, once spawned
 * @param output the plugin's output log, which structured records join
 */
public record ServiceCaller(
    String pluginId, String version, Set<String> grants, LongSupplier pid, Consumer<OutputLine> output) {

  public ServiceCaller {
    grants = Set.copyOf(grants);
  }

  /** Whether the plugin holds {@code grant} ({@code call:*} holds every {@code call:} grant). */
  boolean holds(String grant) {
    return WireProtocol.holds(grants, grant);
  }

  /** Whether the plugin holds any grant that the host serves (all but {@code network}). */
  public static boolean needsServices(Set<String> grants) {
    return grants.stream().anyMatch(grant -> !grant.equals(Grants.NETWORK));
  }
}
