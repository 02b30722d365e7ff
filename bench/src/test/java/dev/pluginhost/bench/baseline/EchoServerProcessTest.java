package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A real echo server in a child JVM, on this JVM's class path, over a real Unix socket. */
class EchoServerProcessTest {
  private static final String CLASSPATH = System.getProperty("java.class.path");
  private static final Duration READY = Duration.ofSeconds(60);

  @ParameterizedTest
  @EnumSource(ExecutorChoice.class)
  void echo_returnsTheSameBytes_smallEmptyAndLarge(ExecutorChoice executors) throws Exception {
    try (EchoServerProcess server = EchoServerProcess.start(CLASSPATH, executors, READY);
        EchoClient client = EchoClient.connect(server.socket(), executors)) {
      byte[] large = new byte[1 << 20];
      new Random(7).nextBytes(large);

      assertArrayEquals(new byte[] {'7'}, client.echo(new byte[] {'7'}));
      assertArrayEquals(new byte[0], client.echo(new byte[0]));
      assertArrayEquals(large, client.echo(large));
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutorChoice.class)
  void echoAsync_answersOnTheObserver(ExecutorChoice executors) throws Exception {
    try (EchoServerProcess server = EchoServerProcess.start(CLASSPATH, executors, READY);
        EchoClient client = EchoClient.connect(server.socket(), executors)) {
      CompletableFuture<byte[]> answer = new CompletableFuture<>();
      client.echoAsync(
          new byte[] {1, 2, 3},
          new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
              answer.complete(value);
            }

            @Override
            public void onError(Throwable t) {
              answer.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {}
          });

      assertArrayEquals(new byte[] {1, 2, 3}, answer.get(30, TimeUnit.SECONDS));
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutorChoice.class)
  void sink_countsEveryByte_includingACutLastMessage(ExecutorChoice executors) throws Exception {
    try (EchoServerProcess server = EchoServerProcess.start(CLASSPATH, executors, READY);
        EchoClient client = EchoClient.connect(server.socket(), executors)) {
      long total = 5L * (64 << 10) + 1000;

      assertEquals(total, client.sink(new byte[64 << 10], total, Duration.ofSeconds(30)));
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutorChoice.class)
  void close_endsTheChildAndDeletesItsDirectory(ExecutorChoice executors) throws Exception {
    EchoServerProcess server = EchoServerProcess.start(CLASSPATH, executors, READY);
    Path directory = server.socket().getParent();
    ProcessHandle child = ProcessHandle.of(server.pid()).orElseThrow();
    assertTrue(Files.exists(server.socket()));

    server.close();
    server.close();

    assertFalse(child.isAlive());
    assertFalse(Files.exists(directory));
  }
}
