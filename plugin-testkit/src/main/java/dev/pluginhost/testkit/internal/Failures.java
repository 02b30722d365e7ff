package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.HostServiceException.Code;
import dev.pluginhost.testkit.CallFailedException;
import java.time.Duration;

/**
 * The {@link CallFailedException}s of in-process calls, worded as the runner and the host word
 * theirs, with "(in-process)" where the host names a pid.
 */
public final class Failures {
  private static final int MAX_MESSAGE_CHARS = 2000;

  private Failures() {}

  /**
   * What the function threw, as the runner reports it: INVALID_ARGUMENT for {@link
   * IllegalArgumentException}, CANCELLED for {@link CallCancelledException}, UNKNOWN for anything
   * else; the exception itself is the cause.
   */
  public static CallFailedException thrown(String pluginId, String function, Throwable thrown) {
    Code code;
    if (thrown instanceof IllegalArgumentException) {
      code = Code.INVALID_ARGUMENT;
    } else if (thrown instanceof CallCancelledException) {
      code = Code.CANCELLED;
    } else {
      code = Code.UNKNOWN;
    }
    return new CallFailedException(
        code, pluginId, function, prefix(pluginId) + threwDescription(function, thrown), thrown.getClass().getName(), thrown);
  }

  /** The runner's description of a thrown exception: "function 'f' threw java.lang.X: message". */
  public static String threwDescription(String function, Throwable thrown) {
    String message = thrown.getMessage();
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
    return "function '" + function + "' threw " + thrown.getClass().getName() + (message == null ? "" : ": " + message);
  }

  public static CallFailedException deadlineExceeded(String pluginId, String function, Duration timeout) {
    return new CallFailedException(
        Code.DEADLINE_EXCEEDED, pluginId, function,
        "call to " + pluginId + "." + function + " (in-process) did not finish within its "
            + Deadlines.millis(timeout) + " deadline",
        null, null);
  }

  /**
   * What the caller of a call cut short before its function ended gets, whatever the function did
   * after: DEADLINE_EXCEEDED once the deadline has passed (the host's own verdict, which does not
   * wait for the function), otherwise FAILED_PRECONDITION, the kit having closed the plugin under
   * it.
   */
  public static CallFailedException cutShort(String pluginId, LocalCallContext call) {
    return call.deadlinePassed() ? deadlineExceeded(pluginId, call.function(), call.timeout()) : closed(pluginId, call.function());
  }

  public static CallFailedException noSuchFunction(String pluginId, String function, FunctionRegistry functions) {
    return new CallFailedException(
        Code.UNIMPLEMENTED, pluginId, function,
        prefix(pluginId) + "no function '" + function + "'; this plugin has: " + functions.describe(),
        null, null);
  }

  public static CallFailedException closed(String pluginId, String function) {
    return new CallFailedException(
        Code.FAILED_PRECONDITION, pluginId, function, "plugin " + pluginId + " is stopped (the test closed it)", null, null);
  }

  public static CallFailedException tooLarge(String pluginId, String function, String what, int bytes, int limit) {
    return new CallFailedException(
        Code.RESOURCE_EXHAUSTED, pluginId, function,
        "the " + what + " of " + pluginId + "." + function + " is " + bytes + " bytes, over the plugin's "
            + limit + "-byte message limit",
        null, null);
  }

  public static CallFailedException interrupted(String pluginId, String function) {
    return new CallFailedException(
        Code.CANCELLED, pluginId, function,
        "the test's thread was interrupted while waiting for " + pluginId + "." + function + "; the call was cancelled",
        null, null);
  }

  public static CallFailedException pipeCancelled(String pluginId, String function) {
    return new CallFailedException(
        Code.CANCELLED, pluginId, function, "the caller cancelled its pipe to " + pluginId + "." + function, null, null);
  }

  private static String prefix(String pluginId) {
    return "plugin " + pluginId + " (in-process): ";
  }
}
