package dev.pluginhost.host;

import io.grpc.Status;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A call to a plugin did not produce a result. Says which plugin, which process, what happened
 * and, when the process died, how.
 *
 * <p>The {@linkplain #code() code} follows gRPC's litmus test:
 *
 * <ul>
 *   <li>NOT_FOUND: no such plugin. UNIMPLEMENTED: the plugin has no such function.
 *   <li>INVALID_ARGUMENT: the plugin rejected the input (it threw IllegalArgumentException).
 *   <li>UNKNOWN: the plugin's function threw; {@link #remoteExceptionClass()} names what.
 *   <li>UNAVAILABLE: the plugin's process died during the call or is restarting; retrying the
 *       call later may succeed. {@link #death()} says how it died.
 *   <li>DEADLINE_EXCEEDED: the call's deadline passed, or it ran past the plugin's call limit and
 *       the process was killed as hung.
 *   <li>FAILED_PRECONDITION: the plugin is stopped or failed; retrying will not help until an
 *       operator acts.
 *   <li>RESOURCE_EXHAUSTED: a limit was hit (a message too large).
 *   <li>INTERNAL: a {@linkplain TypedFunction typed call}'s reply did not decode as the type its
 *       caller expects; the plugin answered, and may have acted on the call. The cause is the
 *       codec's exception.
 * </ul>
 */
public class PluginCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;
  private final String pluginId;
  private final String function;
  private final long pid;
  private final transient ProcessDeath death;
  private final String remoteExceptionClass;

  public PluginCallException(
      Status.Code code,
      String pluginId,
      String function,
      long pid,
      String description,
      ProcessDeath death,
      String remoteExceptionClass,
      Throwable cause) {
    super(code + ": " + description, cause);
    this.code = code;
    this.pluginId = pluginId;
    this.function = function;
    this.pid = pid;
    this.death = death;
    this.remoteExceptionClass = remoteExceptionClass;
  }

  /** What kind of failure this is; see the class comment. */
  public Status.Code code() {
    return code;
  }

  /** The plugin called. */
  public String pluginId() {
    return pluginId;
  }

  /** The function called, or empty if the call never reached one. */
  public String function() {
    return function == null ? "" : function;
  }

  /** The process the call went to, if it reached one. */
  public OptionalLong pid() {
    return pid > 0 ? OptionalLong.of(pid) : OptionalLong.empty();
  }

  /** How the process died, when its death is why the call failed. */
  public Optional<ProcessDeath> death() {
    return Optional.ofNullable(death);
  }

  /** The class of the exception the plugin's function threw, when it threw one. */
  public Optional<String> remoteExceptionClass() {
    return Optional.ofNullable(remoteExceptionClass);
  }

  /** This failure as a gRPC status, for servers that pass plugin failures on to their callers. */
  public Status toStatus() {
    return Status.fromCode(code).withDescription(getMessage().substring(code.toString().length() + 2));
  }
}
