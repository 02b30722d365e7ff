package dev.pluginhost.plugin.api;

/**
 * Thrown by {@link Pipe} operations once the caller has cancelled or the call's deadline has
 * passed. A function may let it propagate; the caller is no longer listening.
 */
public final class CallCancelledException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CallCancelledException(String message) {
    super(message);
  }
}
