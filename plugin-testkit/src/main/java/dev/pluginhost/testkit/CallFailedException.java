package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.HostServiceException;
import java.util.Objects;
import java.util.Optional;

/**
 * A call to the plugin under test did not produce a result, in either mode: what a {@code
 * PluginCallException} says to an embedder, in the plugin API's own vocabulary, so that a test
 * that runs only in-process needs nothing but the plugin API.
 *
 * <p>The {@linkplain #code() code} means what the host's does: INVALID_ARGUMENT when the
 * function threw {@link IllegalArgumentException}; UNKNOWN when it threw anything else ({@link
 * #remoteExceptionClass()} names what); CANCELLED when it threw {@code CallCancelledException} or
 * the caller cancelled; UNIMPLEMENTED for a function the plugin does not have; DEADLINE_EXCEEDED
 * when the call's deadline passed; RESOURCE_EXHAUSTED for a message over the size limit;
 * FAILED_PRECONDITION once the plugin is closed; and, in a child JVM, UNAVAILABLE when its process
 * died during the call.
 *
 * <p>The cause is what the function threw when it ran in-process (its stack trace points at the
 * plugin's line), or the host's {@code PluginCallException} when it ran in a child JVM.
 */
public final class CallFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final HostServiceException.Code code;
  private final String pluginId;
  private final String function;
  private final String description;
  private final String remoteExceptionClass;

  /**
   * @param code the gRPC code, as the plugin API names them
   * @param description what happened, in words a person can act on
   * @param remoteExceptionClass the class of what the function threw, or null
   * @param cause what the function threw in-process, or the host's exception; may be null
   */
  public CallFailedException(
      HostServiceException.Code code,
      String pluginId,
      String function,
      String description,
      String remoteExceptionClass,
      Throwable cause) {
    super(code + ": " + description, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.pluginId = Objects.requireNonNull(pluginId, "pluginId");
    this.function = function == null ? "" : function;
    this.description = Objects.requireNonNull(description, "description");
    this.remoteExceptionClass = remoteExceptionClass;
  }

  /** What kind of failure this is; see the class comment. */
  public HostServiceException.Code code() {
    return code;
  }

  /** The plugin called. */
  public String pluginId() {
    return pluginId;
  }

  /** The function called, or empty if the call never reached one. */
  public String function() {
    return function;
  }

  /** The message without its leading code. */
  public String description() {
    return description;
  }

  /** The class of the exception the plugin's function threw, when it threw one. */
  public Optional<String> remoteExceptionClass() {
    return Optional.ofNullable(remoteExceptionClass);
  }

  /**
   * This failure as a plugin would see it through {@code PluginCalls}: the same code and
   * description.
   */
  public HostServiceException toHostServiceException() {
    return new HostServiceException(code, description);
  }
}
