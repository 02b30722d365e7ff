package dev.pluginhost.testkit;

/**
 * The plugin under test could not be started, in either mode: it could not be loaded, its start
 * hook threw or overran its start timeout, or its process did not come up. The message says why as
 * the host would (for a start hook that threw: its class and message); the cause is what the
 * start hook threw when it ran in-process. Everything started on the way has been released; only
 * an in-process start hook that overran and ignores its interrupt may still be running, on a
 * daemon thread of the kit's (nothing in a JVM can stop it).
 */
public final class PluginStartException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PluginStartException(String message, Throwable cause) {
    super(message, cause);
  }
}
