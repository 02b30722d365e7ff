package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.proto.WireProtocol;
import java.util.Set;

/**
 * The runner's own look at the plugin's grants, so a plugin without one fails at once and with the
 * same error the host would give. A courtesy, not the defence: the host checks every request.
 */
final class GrantCheck {
  private final String pluginId;
  private final Set<String> grants;

  GrantCheck(String pluginId, Set<String> grants) {
    this.pluginId = pluginId;
    this.grants = Set.copyOf(grants);
  }

  Set<String> grants() {
    return grants;
  }

  /** Throws PERMISSION_DENIED naming {@code grant} unless the plugin holds it. */
  void require(String grant) {
    if (!holds(grant)) {
      throw HostServiceException.denied(pluginId, grant);
    }
  }

  boolean holds(String grant) {
    return WireProtocol.holds(grants, grant);
  }
}
