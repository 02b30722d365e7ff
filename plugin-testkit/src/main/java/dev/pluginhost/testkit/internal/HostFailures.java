package dev.pluginhost.testkit.internal;

import dev.pluginhost.host.CallOutcome;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.testkit.CallFailedException;
import dev.pluginhost.testkit.MapOutcome;

/** The host's failures in the kit's vocabulary; only the child-JVM mode loads this class. */
public final class HostFailures {
  private HostFailures() {}

  /** The same code, description and exception class; the host's exception is the cause. */
  public static CallFailedException translate(PluginCallException e) {
    String message = e.getMessage();
    String prefix = e.code() + ": ";
    return new CallFailedException(
        HostServiceException.Code.valueOf(e.code().name()),
        e.pluginId(),
        e.function(),
        message.startsWith(prefix) ? message.substring(prefix.length()) : message,
        e.remoteExceptionClass().orElse(null),
        e);
  }

  public static MapOutcome translate(CallOutcome outcome) {
    return outcome.succeeded()
        ? MapOutcome.success(outcome.value())
        : MapOutcome.failure(translate(outcome.error().orElseThrow()));
  }
}
