package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.grpc.Status;

/**
 * Thrown by a {@link PluginService} to answer the plugin with an error of its choosing: the code
 * and the message reach the plugin as they are. It is the only exception whose words a plugin
 * sees; any other a service throws reaches it as a bare INTERNAL, since an exception's message
 * (a backend's address, a host path, a value) is easily more than a plugin should learn.
 */
public final class PluginServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final Status.Code code;

  /**
   * @param code chosen by gRPC's litmus test: INVALID_ARGUMENT for a request the service refuses,
   *     NOT_FOUND, FAILED_PRECONDITION, RESOURCE_EXHAUSTED, UNAVAILABLE (try again later)...
   * @param message for the plugin's author; it goes to the plugin as written
   */
  public PluginServiceException(Status.Code code, String message) {
    super(checkNotNull(message, "message"));
    checkArgument(code != null && code != Status.Code.OK, "a failure needs a code other than OK");
    this.code = code;
  }

  public Status.Code code() {
    return code;
  }
}
