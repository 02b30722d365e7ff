package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.proto.runner.v1.LogRecord;
import dev.pluginhost.proto.runner.v1.LogRequest;
import dev.pluginhost.proto.runner.v1.LogResponse;
import io.grpc.Status;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class RemoteLogTest {
  private static final long TIMEOUT_SECONDS = Cleanup.TIMEOUT_SECONDS;

  @RegisterExtension final Cleanup cleanup = new Cleanup();
  @TempDir Path dir;

  private FakeHost host;
  private HostOnSocket socket;
  private RemoteLog log;

  @BeforeEach
  void setUp() throws Exception {
    socket = new HostOnSocket(dir, cleanup);
    host = socket.host;
    log = new RemoteLog(socket.connection, new GrantCheck("p", Set.of("log")));
  }

  /** The records the host receives until it has {@code count}, and the drops they report. */
  private record Received(List<LogRecord> records, long dropped) {}

  private Received receive(int count) throws InterruptedException {
    List<LogRecord> records = new ArrayList<>();
    long dropped = 0;
    while (records.size() < count) {
      LogRequest request = FakeHost.next(host.logs, TIMEOUT_SECONDS).request();
      records.addAll(request.getRecordsList());
      dropped += request.getDropped();
    }
    return new Received(records, dropped);
  }

  @Test
  void records_reachTheHostInOrder_withMessageAndFields() throws Exception {
    for (int i = 0; i < 250; i++) {
      log.log(Level.INFO, "record " + i, Map.of("i", Integer.toString(i)));
    }

    Received received = receive(250);
    assertEquals(250, received.records().size());
    for (int i = 0; i < 250; i++) {
      LogRecord record = received.records().get(i);
      assertEquals("record " + i, record.getMessage());
      assertEquals(Map.of("i", Integer.toString(i)), record.getFieldsMap());
    }
    assertEquals(0, received.dropped());
  }

  @Test
  void levels_mapToTheHostsLevels() throws Exception {
    Map<Level, LogRecord.Level> expected = new java.util.LinkedHashMap<>();
    expected.put(Level.ALL, LogRecord.Level.TRACE);
    expected.put(Level.TRACE, LogRecord.Level.TRACE);
    expected.put(Level.DEBUG, LogRecord.Level.DEBUG);
    expected.put(Level.INFO, LogRecord.Level.INFO);
    expected.put(Level.WARNING, LogRecord.Level.WARN);
    expected.put(Level.ERROR, LogRecord.Level.ERROR);

    expected.keySet().forEach(level -> log.log(level, level.name(), Map.of()));

    List<LogRecord> records = receive(expected.size()).records();
    int i = 0;
    for (Map.Entry<Level, LogRecord.Level> level : expected.entrySet()) {
      assertEquals(level.getValue(), records.get(i++).getLevel(), level.getKey().name());
    }
  }

  @Test
  void fullQueue_dropsAndCounts_neverBlocksTheCaller_andTheCountReachesTheHost() throws Exception {
    CountDownLatch hostBusy = new CountDownLatch(1);
    host.onLog = (request, responses) -> {
      try {
        if (!hostBusy.await(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new AssertionError("the test never let the host go on");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      FakeHost.answer(responses, LogResponse.getDefaultInstance());
    };
    cleanup.then(hostBusy::countDown);
    log.log(Level.INFO, "first", Map.of());
    FakeHost.next(host.logs, TIMEOUT_SECONDS); // the sender is now waiting on the host
    int extra = 37;

    assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> {
      for (int i = 0; i < RemoteLog.QUEUE_RECORDS + extra; i++) {
        log.log(Level.INFO, "queued " + i, Map.of());
      }
    }, "log() waited for the host");
    hostBusy.countDown();

    Received received = receive(RemoteLog.QUEUE_RECORDS);
    assertEquals(RemoteLog.QUEUE_RECORDS, received.records().size());
    assertEquals(extra, received.dropped(), "the records that found the queue full");
    assertEquals("queued 0", received.records().get(0).getMessage());
    assertEquals("queued " + (RemoteLog.QUEUE_RECORDS - 1), received.records().get(RemoteLog.QUEUE_RECORDS - 1).getMessage());
  }

  @Test
  void batchTheHostRefused_isCountedAsDropped_inTheNextBatch() throws Exception {
    host.onLog = (request, responses) -> {
      if (request.getRecords(0).getMessage().equals("lost")) {
        responses.onError(Status.UNAVAILABLE.withDescription("busy").asRuntimeException());
      } else {
        FakeHost.answer(responses, LogResponse.getDefaultInstance());
      }
    };
    log.log(Level.INFO, "lost", Map.of());
    FakeHost.next(host.logs, TIMEOUT_SECONDS);

    log.log(Level.INFO, "kept", Map.of());

    LogRequest next = FakeHost.next(host.logs, TIMEOUT_SECONDS).request();
    assertEquals("kept", next.getRecords(0).getMessage());
    assertEquals(1, next.getDropped());
  }

  @Test
  void flush_returnsOnceTheRecordsLoggedSoFarReachedTheHost() throws Exception {
    for (int i = 0; i < 10; i++) {
      log.log(Level.INFO, "record " + i, Map.of());
    }

    log.flush(Duration.ofSeconds(TIMEOUT_SECONDS));

    int received = 0;
    for (FakeHost.Received<LogRequest, LogResponse> request; (request = host.logs.poll()) != null; ) {
      received += request.request().getRecordsCount();
    }
    assertEquals(10, received, "records not yet at the host when flush returned");
  }

  @Test
  void flush_ofAHostThatDoesNotAnswer_givesUpAtItsTimeout() throws Exception {
    CountDownLatch hostBusy = new CountDownLatch(1);
    host.onLog = (request, responses) -> {
      try {
        hostBusy.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      FakeHost.answer(responses, LogResponse.getDefaultInstance());
    };
    cleanup.then(hostBusy::countDown);
    log.log(Level.INFO, "stuck", Map.of());
    FakeHost.next(host.logs, TIMEOUT_SECONDS);

    assertTimeoutPreemptively(Duration.ofSeconds(TIMEOUT_SECONDS), () -> log.flush(Duration.ofMillis(50)));
  }

  @Test
  void withoutTheGrant_failsAtOnce_andSendsNothing() {
    RemoteLog ungranted = new RemoteLog(socket.connection, new GrantCheck("p", Set.of("kv")));

    HostServiceException e =
        assertThrows(HostServiceException.class, () -> ungranted.log(Level.INFO, "m", Map.of()));

    assertEquals(Optional.of("log"), e.missingGrant());
    assertTrue(host.tokens.isEmpty(), "a request reached the host");
  }

  @Test
  void nullArguments_areRefused() {
    assertThrows(NullPointerException.class, () -> log.log(null, "m", Map.of()));
    assertThrows(NullPointerException.class, () -> log.log(Level.INFO, null, Map.of()));
    assertThrows(NullPointerException.class, () -> log.log(Level.INFO, "m", null));
  }
}
