package dev.pluginhost.plugin.api;

/**
 * A function that takes bytes and returns bytes.
 *
 * <p>Called concurrently from several threads, one per call in flight: implementations must be
 * thread-safe. An exception thrown here fails that one call, with the exception's class and
 * message; the plugin keeps serving. {@link IllegalArgumentException} tells the caller its input
 * was wrong; anything else reads as a failure of the plugin.
 */
@FunctionalInterface
public interface UnaryFunction {
  /**
   * Computes the result for one call.
   *
   * @param call the call's deadline, cancellation and metadata
   * @param input the caller's bytes, never null (empty when the caller sent nothing)
   * @return the result; null is sent as empty
   */
  byte[] apply(CallContext call, byte[] input) throws Exception;
}
