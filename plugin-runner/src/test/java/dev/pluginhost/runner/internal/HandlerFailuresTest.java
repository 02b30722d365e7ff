package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.proto.WireProtocol;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class HandlerFailuresTest {

  @Test
  void illegalArgument_becomesInvalidArgument() {
    StatusRuntimeException e = HandlerFailures.toStatus("parse", new IllegalArgumentException("not a number"));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals(
        "function 'parse' threw java.lang.IllegalArgumentException: not a number", e.getStatus().getDescription());
  }

  @Test
  void subclassOfIllegalArgument_becomesInvalidArgument_trailerNamesSubclass() {
    StatusRuntimeException e = HandlerFailures.toStatus("parse", new NumberFormatException("x"));

    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("java.lang.NumberFormatException", e.getTrailers().get(WireProtocol.EXCEPTION_CLASS_TRAILER));
  }

  @Test
  void callCancelled_becomesCancelled() {
    StatusRuntimeException e = HandlerFailures.toStatus("f", new CallCancelledException("gone"));

    assertEquals(Status.Code.CANCELLED, e.getStatus().getCode());
  }

  @Test
  void anythingElse_becomesUnknown() {
    assertEquals(Status.Code.UNKNOWN, HandlerFailures.toStatus("f", new IllegalStateException("s")).getStatus().getCode());
    assertEquals(Status.Code.UNKNOWN, HandlerFailures.toStatus("f", new Exception("checked")).getStatus().getCode());
    assertEquals(Status.Code.UNKNOWN, HandlerFailures.toStatus("f", new StackOverflowError()).getStatus().getCode());
  }

  @Test
  void trailer_namesTheThrownClass() {
    StatusRuntimeException e = HandlerFailures.toStatus("f", new UnsupportedOperationException());

    assertEquals(
        "java.lang.UnsupportedOperationException", e.getTrailers().get(WireProtocol.EXCEPTION_CLASS_TRAILER));
  }

  @Test
  void noMessage_describesClassOnly() {
    StatusRuntimeException e = HandlerFailures.toStatus("f", new NullPointerException());

    assertEquals("function 'f' threw java.lang.NullPointerException", e.getStatus().getDescription());
  }

  @Test
  void longMessage_isTruncated() {
    String message = "m".repeat(5000);

    String description = HandlerFailures.toStatus("f", new RuntimeException(message)).getStatus().getDescription();

    String prefix = "function 'f' threw java.lang.RuntimeException: ";
    assertEquals(prefix + "m".repeat(2000) + "...", description);
    assertTrue(description.length() < message.length());
  }
}
