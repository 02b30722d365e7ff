package dev.pluginhost.host;

import static com.google.common.base.Preconditions.checkNotNull;

import io.grpc.Status;

/**
 * An install, upgrade or removal of a plugin was refused or failed; nothing changed. The code
 * says what kind of problem it is, by gRPC's litmus test: INVALID_ARGUMENT for a jar that is not a
 * usable plugin (no descriptor, a bad id, an API range this host does not provide, another
 * plugin's id for an upgrade), ALREADY_EXISTS for an id already installed, NOT_FOUND for an id
 * that is not, FAILED_PRECONDITION when the host is not running, another change of that plugin is
 * under way, or the new version did not start (its death says why).
 */
public final class PluginChangeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  public PluginChangeException(Status.Code code, String message) {
    super(message);
    this.code = checkNotNull(code, "code");
  }

  public Status.Code code() {
    return code;
  }
}
