package dev.pluginhost.host;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** One request of a plugin to a {@link PluginService}: who asks, for what, and until when. */
public final class ServiceRequest {
  private final String service;
  private final String pluginId;
  private final long pid;
  private final String method;
  private final byte[] payload;
  private final Instant deadline;

  public ServiceRequest(String service, String pluginId, long pid, String method, byte[] payload, Instant deadline) {
    this.service = service;
    this.pluginId = pluginId;
    this.pid = pid;
    this.method = method;
    this.payload = payload.clone();
    this.deadline = deadline;
  }

  /** The name the service was registered under. */
  public String service() {
    return service;
  }

  /** The plugin asking; the host vouches for it (it is the socket the request came through). */
  public String pluginId() {
    return pluginId;
  }

  /** The plugin process asking, as the host sees its pid. */
  public long pid() {
    return pid;
  }

  /** The method the plugin named; the service decides what methods exist. */
  public String method() {
    return method;
  }

  /** The request's bytes, a copy. */
  public byte[] payload() {
    return payload.clone();
  }

  /** {@link #payload()} decoded from UTF-8. */
  public String text() {
    return new String(payload, StandardCharsets.UTF_8);
  }

  /** When the plugin stops waiting for the answer. */
  public Instant deadline() {
    return deadline;
  }

  @Override
  public String toString() {
    return "ServiceRequest(" + service + "." + method + " from " + pluginId + " pid " + pid + ", " + payload.length + " bytes)";
  }
}
