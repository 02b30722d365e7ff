package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.regex.Pattern;

/**
 * The names of what a host may grant a plugin in its settings ({@link
 * PluginSettings.Builder#grant}). A plugin starts with none: it can compute and answer calls, and
 * nothing more. Each grant opens one door:
 *
 * <ul>
 *   <li>{@value #LOG}: structured, tagged log records that reach the host's log;
 *   <li>{@value #KV}: a small key-value store private to the plugin that survives its restarts;
 *   <li>{@value #LOCKS}: named locks shared by the plugin's processes, released when a holder
 *       dies;
 *   <li>{@code call:ID} ({@link #call}): calling the functions of plugin {@code ID} of the same
 *       host; {@code call:*} any plugin;
 *   <li>{@code service:NAME} ({@link #service}): a service the embedding application registered
 *       under {@code NAME} with {@link PluginHost.Builder#service};
 *   <li>{@value #NETWORK}: the host's network (inside the OS sandbox a plugin otherwise has only
 *       a loopback of its own; without the sandbox it has the network anyway).
 * </ul>
 *
 * <p>A plugin that uses a host service it was not granted gets PERMISSION_DENIED, naming the
 * grant it lacks. The check is the host's: a plugin that bypasses its runner finds no service to
 * talk to unless it holds a service grant, and then only the ones it holds answer.
 */
public final class Grants {
  public static final String LOG = "log";
  public static final String KV = "kv";
  public static final String LOCKS = "locks";
  public static final String NETWORK = "network";
  /** Prefix of the grants to call another plugin. */
  public static final String CALL_PREFIX = "call:";
  /** Prefix of the grants to use a service of the embedding application. */
  public static final String SERVICE_PREFIX = "service:";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  private Grants() {}

  /** The grant to call the functions of plugin {@code pluginId}; {@code "*"} for every plugin. */
  public static String call(String pluginId) {
    checkNotNull(pluginId, "pluginId");
    checkArgument(pluginId.equals("*") || NAME.matcher(pluginId).matches(), "not a plugin id: %s", pluginId);
    return CALL_PREFIX + pluginId;
  }

  /** The grant to use the embedding application's service registered as {@code name}. */
  public static String service(String name) {
    checkNotNull(name, "name");
    checkArgument(NAME.matcher(name).matches(), "not a service name (letters, digits, '.', '-', '_'): %s", name);
    return SERVICE_PREFIX + name;
  }

  /**
   * Checks that {@code grant} is one this host knows, and returns it.
   *
   * @throws IllegalArgumentException naming the forms a grant may take
   */
  public static String check(String grant) {
    checkNotNull(grant, "grant");
    if (grant.equals(LOG) || grant.equals(KV) || grant.equals(LOCKS) || grant.equals(NETWORK)) {
      return grant;
    }
    if (grant.startsWith(CALL_PREFIX)) {
      return call(grant.substring(CALL_PREFIX.length()));
    }
    if (grant.startsWith(SERVICE_PREFIX)) {
      return service(grant.substring(SERVICE_PREFIX.length()));
    }
    throw new IllegalArgumentException(
        "unknown grant '" + grant + "': a grant is one of log, kv, locks, network, call:PLUGIN-ID, call:*, service:NAME");
  }
}
