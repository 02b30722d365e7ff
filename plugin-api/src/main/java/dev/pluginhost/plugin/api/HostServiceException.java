package dev.pluginhost.plugin.api;

import java.util.Optional;

/**
 * A host service refused or failed a request: the grant is missing, the key is too large, the
 * lock was not free in time, the other plugin failed, the host is going away. {@link #code()}
 * says which, by the same codes gRPC uses; the message says what happened in words a person can
 * act on.
 */
public final class HostServiceException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is; the codes and meanings of gRPC's status codes. */
  public enum Code {
    CANCELLED,
    UNKNOWN,
    INVALID_ARGUMENT,
    DEADLINE_EXCEEDED,
    NOT_FOUND,
    ALREADY_EXISTS,
    /** The plugin lacks the grant; {@link #missingGrant()} names it. */
    PERMISSION_DENIED,
    RESOURCE_EXHAUSTED,
    FAILED_PRECONDITION,
    ABORTED,
    OUT_OF_RANGE,
    UNIMPLEMENTED,
    INTERNAL,
    UNAVAILABLE,
    DATA_LOSS,
    UNAUTHENTICATED
  }

  private final Code code;
  private final String description;
  private final String missingGrant;

  public HostServiceException(Code code, String message) {
    this(code, message, null);
  }

  /** @param missingGrant the grant the plugin lacks, for PERMISSION_DENIED; null otherwise */
  public HostServiceException(Code code, String message, String missingGrant) {
    super(code + ": " + message);
    this.code = code;
    this.description = message;
    this.missingGrant = missingGrant;
  }

  /**
   * The PERMISSION_DENIED a host gives plugin {@code pluginId} for a service whose grant it lacks,
   * worded as the host words it.
   */
  public static HostServiceException denied(String pluginId, String grant) {
    return new HostServiceException(
        Code.PERMISSION_DENIED,
        "plugin " + pluginId + " was not granted \"" + grant + "\" (add it to the plugin's grants in its settings)",
        grant);
  }

  public Code code() {
    return code;
  }

  /** What happened, in words, without the code in front. */
  public String description() {
    return description;
  }

  /** The grant whose absence caused a PERMISSION_DENIED, such as {@code "kv"} or {@code "call:squares"}. */
  public Optional<String> missingGrant() {
    return Optional.ofNullable(missingGrant);
  }
}
