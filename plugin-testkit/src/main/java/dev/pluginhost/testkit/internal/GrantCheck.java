package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.HostServiceException;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The grants of an in-process plugin, checked before anything else a host service does, and
 * refused with the runner's and the host's wording, so a test sees exactly the error a plugin JVM
 * would get.
 */
public final class GrantCheck {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private final String pluginId;
  private final Set<String> grants;

  public GrantCheck(String pluginId, Set<String> grants) {
    this.pluginId = pluginId;
    this.grants = Set.copyOf(grants);
  }

  public Set<String> grants() {
    return grants;
  }

  /** Throws PERMISSION_DENIED naming {@code grant} unless the plugin holds it. */
  public void require(String grant) {
    if (!holds(grant)) {
      throw HostServiceException.denied(pluginId, grant);
    }
  }

  /** Whether the plugin holds {@code grant}; {@code call:*} holds every {@code call:ID}. */
  public boolean holds(String grant) {
    return grants.contains(grant) || (grant.startsWith("call:") && grants.contains("call:*"));
  }


  /**
   * Checks that {@code grant} is one a host knows, as the host's settings check it, and returns it.
   *
   * @throws IllegalArgumentException naming the forms a grant may take
   */
  public static String check(String grant) {
    Objects.requireNonNull(grant, "grant");
    if (grant.equals("log") || grant.equals("kv") || grant.equals("locks") || grant.equals("network")) {
      return grant;
    }
    if (grant.startsWith("call:")) {
      String id = grant.substring("call:".length());
      if (!id.equals("*") && !NAME.matcher(id).matches()) {
        throw new IllegalArgumentException("not a plugin id: " + id);
      }
      return grant;
    }
    if (grant.startsWith("service:")) {
      String name = grant.substring("service:".length());
      if (!NAME.matcher(name).matches()) {
        throw new IllegalArgumentException("not a service name (letters, digits, '.', '-', '_'): " + name);
      }
      return grant;
    }
    throw new IllegalArgumentException(
        "unknown grant '" + grant + "': a grant is one of log, kv, locks, network, call:PLUGIN-ID, call:*, service:NAME");
  }
}
