package dev.pluginhost.plugin.api;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A service the embedding application registered with the host under a name, as the plugin
 * sees it. Needs the grant {@code service:NAME}. What the methods and messages mean is the
 * application's to document; the host only carries them.
 */
public interface ServiceClient {

  /** The service's name. */
  String name();

  /**
   * Sends {@code request} to the service's {@code method} and waits for its answer, at most
   * {@code timeout}.
   *
   * @throws HostServiceException PERMISSION_DENIED without the grant, NOT_FOUND if the
   *     application registered no such service, or the code the service answered with
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  byte[] call(String method, byte[] request, Duration timeout) throws InterruptedException;

  /** {@link #call} with text, encoded as UTF-8 both ways. */
  default String callText(String method, String request, Duration timeout) throws InterruptedException {
    return new String(call(method, request.getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8);
  }
}
