package dev.pluginhost.plugin.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Calls to other plugins of the same host, through the host: the way a plugin that needs more
 * parallelism gets it (a pool within a pool) without spawning processes of its own. The host
 * routes each call to the other plugin's pool with the same queueing, deadlines, retries and
 * restarts as its own callers get. Calling plugin {@code ID} needs the grant {@code call:ID} (or
 * {@code call:*}).
 *
 * <p>A chain of calls that comes back to a plugin whose call slots are all waiting on that chain
 * can only end by its deadline; keep timeouts shorter than the enclosing call's {@link
 * CallContext#remaining()}.
 */
public interface PluginCalls {

  /**
   * Calls {@code function} of plugin {@code pluginId} and waits for its result, at most {@code
   * timeout}.
   *
   * @throws HostServiceException PERMISSION_DENIED without the grant; otherwise the code and
   *     description the host's own callers would get (NOT_FOUND for an unknown plugin,
   *     UNIMPLEMENTED for an unknown function, UNAVAILABLE when its process died, saying how it
   *     ended, DEADLINE_EXCEEDED, and the other plugin's own errors)
   * @throws InterruptedException if the thread was interrupted while waiting (the call is then
   *     cancelled)
   */
  byte[] call(String pluginId, String function, byte[] input, Duration timeout) throws InterruptedException;

  /** {@link #call} with text, encoded as UTF-8 both ways. */
  default String callText(String pluginId, String function, String input, Duration timeout)
      throws InterruptedException {
    return new String(
        call(pluginId, function, input.getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8);
  }

  /**
   * Calls {@code function} of plugin {@code pluginId} once per input across that plugin's
   * processes, like {@code Pool.map}, and returns one result per input, in input order. One
   * input's failure is its result; the rest go on.
   *
   * @throws HostServiceException PERMISSION_DENIED without the grant, or when the map as a whole
   *     could not run (the host is unreachable)
   * @throws InterruptedException if the thread was interrupted while waiting (the map is then
   *     cancelled)
   */
  List<CallResult> map(String pluginId, String function, List<byte[]> inputs, Duration timeout)
      throws InterruptedException;
}
