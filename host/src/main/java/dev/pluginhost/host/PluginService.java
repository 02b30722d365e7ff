package dev.pluginhost.host;

/**
 * A service the embedding application offers plugins, registered under a name with {@link
 * PluginHost.Builder#service}; a plugin granted {@code service:NAME} calls it with {@code
 * context.service("NAME").call(method, request, timeout)}.
 *
 * <p>The request comes from an untrusted plugin: parse it with a schema (a protobuf message's
 * parser, a JSON reader into plain values), never with Java serialization, and check what it asks
 * for. The host has already checked the grant and tells the service which plugin and process ask.
 *
 * <p>Runs on a thread of the host's service pool, never on an I/O thread, so it may block; several
 * requests may run at once. At most 16 requests of one plugin (all its processes together) run at
 * once, and at most 64 of all plugins; more are refused with RESOURCE_EXHAUSTED before they reach
 * the service. The plugin stops waiting at its deadline ({@link ServiceRequest#deadline()}); the
 * service should too: a service that never returns holds one of those places for good.
 *
 * <p>What the plugin receives when this throws: a {@link PluginServiceException} passes on its
 * code and message; anything else, including an IllegalArgumentException, is a bare INTERNAL (the
 * host logs the exception: a plugin never sees the application's stack or messages it was not
 * meant to).
 */
@FunctionalInterface
public interface PluginService {

  /** Answers one request; the bytes returned are the plugin's answer (null is sent as empty). */
  byte[] handle(ServiceRequest request) throws Exception;
}
