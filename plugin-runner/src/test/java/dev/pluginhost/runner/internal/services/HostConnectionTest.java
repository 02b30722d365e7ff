package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.proto.WireProtocol;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HostConnectionTest {
  @RegisterExtension final Cleanup cleanup = new Cleanup();
  private final EventLoopGroup eventLoops =
      cleanup.eventLoops(new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory()));

  private static HostServiceException translate(StatusRuntimeException e) {
    return assertInstanceOf(HostServiceException.class, HostConnection.translate(e));
  }

  @ParameterizedTest
  @EnumSource(value = Status.Code.class, mode = EnumSource.Mode.EXCLUDE, names = "OK")
  void translate_keepsTheCode(Status.Code code) {
    HostServiceException e = translate(Status.fromCode(code).withDescription("why").asRuntimeException());

    assertEquals(code.name(), e.code().name());
    assertEquals(code.name() + ": why", e.getMessage());
  }

  @Test
  void translate_permissionDenied_carriesTheMissingGrantFromTheTrailer() {
    Metadata trailers = new Metadata();
    trailers.put(WireProtocol.MISSING_GRANT_TRAILER, "call:squares");

    HostServiceException e = translate(
        Status.PERMISSION_DENIED.withDescription("plugin p was not granted \"call:squares\"").asRuntimeException(trailers));

    assertEquals(HostServiceException.Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of("call:squares"), e.missingGrant());
    assertEquals("PERMISSION_DENIED: plugin p was not granted \"call:squares\"", e.getMessage());
  }

  @Test
  void translate_withoutTrailers_hasNoMissingGrant() {
    HostServiceException e = translate(Status.PERMISSION_DENIED.withDescription("d").asRuntimeException());

    assertEquals(Optional.empty(), e.missingGrant());
  }

  @Test
  void translate_withoutADescription_saysTheCode() {
    HostServiceException e = translate(Status.INTERNAL.asRuntimeException());

    assertEquals("INTERNAL: INTERNAL", e.getMessage());
  }

  @Test
  void translate_ofAnUnreachableHost_saysSo() {
    HostServiceException e = translate(Status.UNAVAILABLE.withDescription("io exception").asRuntimeException());

    assertEquals(HostServiceException.Code.UNAVAILABLE, e.code());
    assertEquals("UNAVAILABLE: the host cannot be reached: io exception", e.getMessage());
  }

  @Test
  void translate_ofAnotherUnavailable_keepsItsWords() {
    HostServiceException e = translate(Status.UNAVAILABLE.withDescription("plugin squares is restarting").asRuntimeException());

    assertEquals("UNAVAILABLE: plugin squares is restarting", e.getMessage());
  }

  @Test
  void interrupted_isTrueOnlyForACancelCausedByAnInterrupt() {
    assertTrue(HostConnection.interrupted(Status.CANCELLED.withCause(new InterruptedException()).asRuntimeException()));
    assertFalse(HostConnection.interrupted(Status.CANCELLED.asRuntimeException()));
    assertFalse(HostConnection.interrupted(Status.UNAVAILABLE.withCause(new InterruptedException()).asRuntimeException()));
  }

  @Test
  void connection_withoutASocket_refusesToOpen_sayingTheHostServesNothing() {
    HostConnection host = new HostConnection("", new byte[32], eventLoops, 0);

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> host.blocking(Duration.ofSeconds(1)));
    assertThrows(IllegalStateException.class, host::async);

    assertEquals("the host serves no services to this plugin", e.getMessage());
  }

  @Test
  void connection_onTheRunnersIoThread_refusesToWait_sayingWhy() throws Exception {
    HostConnection host = new HostConnection("/nonexistent/h.sock", new byte[32], eventLoops, 0);

    Throwable thrown = eventLoops.submit(() -> {
      try {
        host.blocking(Duration.ofSeconds(1));
        return null;
      } catch (Throwable t) {
        return t;
      }
    }).get(Cleanup.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    Throwable thrownByAsync = eventLoops.submit(() -> {
      try {
        host.async();
        return null;
      } catch (Throwable t) {
        return t;
      }
    }).get(Cleanup.TIMEOUT_SECONDS, TimeUnit.SECONDS);

    assertInstanceOf(IllegalStateException.class, thrown);
    assertTrue(thrown.getMessage().contains("NON_BLOCKING"), thrown.getMessage());
    assertInstanceOf(IllegalStateException.class, thrownByAsync);
  }
}
