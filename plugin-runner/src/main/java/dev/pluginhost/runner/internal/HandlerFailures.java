package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.proto.WireProtocol;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** Turns what a plugin's handler threw into the status its caller receives. */
final class HandlerFailures {
  private static final int MAX_MESSAGE_CHARS = 2000;

  private HandlerFailures() {}

  /**
   * INVALID_ARGUMENT for {@link IllegalArgumentException} (the plugin says the input is wrong),
   * CANCELLED for {@link CallCancelledException}, UNKNOWN for anything else the plugin threw.
   */
  static StatusRuntimeException toStatus(String function, Throwable thrown) {
    Status code;
    if (thrown instanceof IllegalArgumentException) {
      code = Status.INVALID_ARGUMENT;
    } else if (thrown instanceof CallCancelledException) {
      code = Status.CANCELLED;
    } else {
      code = Status.UNKNOWN;
    }
    String message = thrown.getMessage();
    if (message != null && message.length() > MAX_MESSAGE_CHARS) {
      message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
    }
    String description =
        "function '" + function + "' threw " + thrown.getClass().getName()
            + (message == null ? "" : ": " + message);
    Metadata trailers = new Metadata();
    trailers.put(WireProtocol.EXCEPTION_CLASS_TRAILER, thrown.getClass().getName());
    return code.withDescription(description).asRuntimeException(trailers);
  }
}
