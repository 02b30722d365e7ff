package dev.pluginhost.testkit;

/**
 * A service of the embedding application, as a test stands it in for an in-process plugin:
 * registered with {@link InProcessPlugin.Builder#service}, reached by the plugin through {@code
 * context.service(name)} with the grant {@code service:NAME}.
 *
 * <p>What the plugin receives when this throws is what the host gives it: a {@code
 * HostServiceException} passes on its code and message, as the host passes on a {@code
 * PluginServiceException} (the way to answer INVALID_ARGUMENT or NOT_FOUND); anything else,
 * IllegalArgumentException included, INTERNAL without detail (the kit prints the exception to standard error, as the
 * host logs it). Runs on a thread of the kit's; several requests may run at once.
 */
@FunctionalInterface
public interface TestService {

  /**
   * Answers one request.
   *
   * @param method the method the plugin named
   * @param request the request's bytes
   * @return the answer; null is sent as empty
   */
  byte[] handle(String method, byte[] request) throws Exception;
}
