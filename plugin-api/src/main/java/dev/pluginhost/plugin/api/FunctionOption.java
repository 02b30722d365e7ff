package dev.pluginhost.plugin.api;

/** What a plugin declares about a function when it registers it. */
public enum FunctionOption {
  /**
   * Running the function twice with the same input is as good as running it once. The host may
   * then retry a call whose process died under it on another process, instead of failing it.
   * Declare it only when true: a retried non-idempotent call may act twice.
   */
  IDEMPOTENT
}
