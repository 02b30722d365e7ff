package dev.pluginhost.plugin.api;

/**
 * A {@link UnaryFunction} over text: the input is decoded from UTF-8 and the result encoded to
 * it. The same threading and exception contract applies.
 */
@FunctionalInterface
public interface TextFunction {
  /**
   * Computes the result for one call.
   *
   * @param call the call's deadline, cancellation and metadata
   * @param input the caller's text, never null
   * @return the result; null is sent as empty text
   */
  String apply(CallContext call, String input) throws Exception;
}
