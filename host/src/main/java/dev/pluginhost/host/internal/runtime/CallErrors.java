package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.proto.WireProtocol;
import io.grpc.Metadata;
import io.grpc.Status;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Builds the {@link PluginCallException}s callers see, so every path words them alike. */
final class CallErrors {
  private static final long DEATH_WAIT_MILLIS = 500;

  private CallErrors() {}

  /** A call in flight, or arriving, when the process died. */
  static PluginCallException processDied(String pluginId, String function, ProcessDeath death) {
    return new PluginCallException(
        Status.Code.UNAVAILABLE,
        pluginId,
        function,
        death.pid(),
        "plugin " + pluginId + " (pid " + death.pid() + ") died during the call: " + death.detail()
            + "; it is being restarted",
        death,
        null,
        null);
  }

  /** The call's own deadline passed. */
  static PluginCallException deadlineExceeded(String pluginId, String function, long pid, Duration timeout) {
    return new PluginCallException(
        Status.Code.DEADLINE_EXCEEDED,
        pluginId,
        function,
        pid,
        "call to " + pluginId + "." + function + " (pid " + pid + ") did not finish within its "
            + millis(timeout) + " deadline",
        null,
        null,
        null);
  }

  /** The call ran past the plugin's call limit; its process is being killed. */
  static PluginCallException overCallLimit(String pluginId, String function, long pid, Duration limit) {
    return new PluginCallException(
        Status.Code.DEADLINE_EXCEEDED,
        pluginId,
        function,
        pid,
        "call to " + pluginId + "." + function + " ran past the plugin's " + millis(limit)
            + " call limit; its process (pid " + pid + ") was killed as hung and is being restarted",
        null,
        null,
        null);
  }

  /** A status the runner (or the transport) ended the call with. */
  static PluginCallException fromStatus(
      String pluginId, String function, long pid, Status status, Metadata trailers) {
    String exceptionClass = trailers == null ? null : trailers.get(WireProtocol.EXCEPTION_CLASS_TRAILER);
    String description = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    return new PluginCallException(
        status.getCode(),
        pluginId,
        function,
        pid,
        "plugin " + pluginId + " (pid " + pid + "): " + description,
        null,
        exceptionClass,
        status.getCause());
  }

  /** The plugin cannot take calls now and will not by itself. */
  static PluginCallException notServing(String pluginId, String function, String why, ProcessDeath lastDeath) {
    return new PluginCallException(
        Status.Code.FAILED_PRECONDITION, pluginId, function, -1, "plugin " + pluginId + " " + why, lastDeath, null, null);
  }

  /**
   * What a failed gRPC call to a runner means for its caller. A broken connection most likely
   * means the process died; its exit status, once known (within half a second), says far more
   * than the transport's error does, so the answer waits for it.
   */
  static ListenableFuture<PluginCallException> fromRpcFailure(
      PluginProcess process, String function, Duration timeout, Throwable t) {
    Status status = Status.fromThrowable(t);
    Metadata trailers = Status.trailersFromThrowable(t);
    String pluginId = process.plugin.id();
    if (status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
      return Futures.immediateFuture(deadlineExceeded(pluginId, function, process.pid(), timeout));
    }
    if (!mayMeanDeath(status, trailers)) {
      return Futures.immediateFuture(fromStatus(pluginId, function, process.pid(), status, trailers));
    }
    ListenableFuture<ProcessDeath> death =
        Futures.withTimeout(
            // withTimeout cancels what it waits for; the death must survive that.
            Futures.nonCancellationPropagating(process.death()), DEATH_WAIT_MILLIS, TimeUnit.MILLISECONDS,
            process.runtime.scheduler);
    return Futures.transform(
        Futures.catching(death, Exception.class, e -> null, directExecutor()),
        known ->
            known != null
                ? processDied(pluginId, function, known)
                : fromStatus(pluginId, function, process.pid(), status, trailers),
        directExecutor());
  }

  /**
   * Whether a status may be the transport's word for a dead process. UNKNOWN is the plugin's own
   * failure when it carries the exception-class trailer, and the transport's ("channel closed")
   * when it does not.
   */
  private static boolean mayMeanDeath(Status status, Metadata trailers) {
    switch (status.getCode()) {
      case UNAVAILABLE:
      case CANCELLED:
      case INTERNAL:
        return true;
      case UNKNOWN:
        return trailers == null || !trailers.containsKey(WireProtocol.EXCEPTION_CLASS_TRAILER);
      default:
        return false;
    }
  }

  static String millis(Duration duration) {
    return duration.toMillis() + " ms";
  }
}
