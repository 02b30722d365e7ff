package dev.pluginhost.testkit;

/**
 * A service of the embedding application, as a test stands it in for an in-process plugin:
 * registered with {@link InProcessPlugin.Builder#service}, reached by the plugin through {@code
 * context.service(name)} with the grant {@code service:NAME}.
 *
 * <p>What the plugin receives when this throws is what the host gives it: a {@code
 * HostServiceException} passes on its code and message, as the host passes on a {@code
 * PluginServiceException} (the way to answer INVALID_ARGUMENT or NOT_FOUND); anything else,
 * IllegalArgumentException included, INTERNAL without detail (the kit prints the exception to
 * standard error, as the host logs it). A method name the host would refuse ({@code
 * [\x21-\x7e]{1,128}}: printable ASCII, no spaces) fails with INVALID_ARGUMENT before reaching
 * this.
 *
 * <p>Runs on a thread of the kit's; several requests may run at once, without the host's limits
 * (16 requests at once per plugin, 64 in all, then RESOURCE_EXHAUSTED). A request that outlasts
 * the plugin's timeout fails with DEADLINE_EXCEEDED (in the kit's words, not gRPC's) and its
 * thread is interrupted.
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
