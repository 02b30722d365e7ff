package dev.pluginhost.bench.baseline;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A client of the {@link EchoProtocol} service on a Unix socket, built as the host builds its
 * channel to a runner (grpc-netty-shaded, epoll, one event loop thread of its own). Thread-safe;
 * connects on the first call; {@link #close()} is idempotent and fails calls in flight.
 */
public final class EchoClient implements AutoCloseable {
  private final EventLoopGroup eventLoops;
  private final ManagedChannel channel;

  private EchoClient(EventLoopGroup eventLoops, ManagedChannel channel) {
    this.eventLoops = eventLoops;
    this.channel = channel;
  }

  /** A channel to {@code socket}, running callbacks as {@code executors} says. */
  public static EchoClient connect(Path socket, ExecutorChoice executors) {
    EventLoopGroup eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(new DomainSocketAddress(socket.toString()))
            .channelType(EpollDomainSocketChannel.class)
            .eventLoopGroup(eventLoops)
            .usePlaintext();
    if (executors == ExecutorChoice.DIRECT) {
      builder.directExecutor();
    }
    return new EchoClient(eventLoops, builder.build());
  }

  /**
   * One unary echo, blocking this thread until the answer.
   *
   * @throws io.grpc.StatusRuntimeException if the call fails
   */
  public byte[] echo(byte[] payload) {
    return ClientCalls.blockingUnaryCall(channel, EchoProtocol.ECHO, CallOptions.DEFAULT, payload);
  }

  /** One unary echo; the answer or the failure goes to {@code response}, on the client's executor. */
  public void echoAsync(byte[] payload, StreamObserver<byte[]> response) {
    ClientCalls.asyncUnaryCall(channel.newCall(EchoProtocol.ECHO, CallOptions.DEFAULT), payload, response);
  }

  /**
   * Streams {@code chunk} repeatedly until {@code totalBytes} are sent (the last message cut to
   * fit), as fast as gRPC's flow control lets it, and returns the count the server acknowledged.
   *
   * @throws ExecutionException if the call fails
   * @throws TimeoutException if it does not end within {@code timeout}; the call is cancelled
   */
  public long sink(byte[] chunk, long totalBytes, Duration timeout)
      throws InterruptedException, ExecutionException, TimeoutException {
    CompletableFuture<Long> acknowledged = new CompletableFuture<>();
    ClientResponseObserver<byte[], byte[]> observer =
        new ClientResponseObserver<>() {
          private long sent;
          private boolean done;

          @Override
          public void beforeStart(ClientCallStreamObserver<byte[]> requests) {
            // Runs when the stream can take more without buffering: on the client's executor,
            // one at a time.
            requests.setOnReadyHandler(
                () -> {
                  while (!done && requests.isReady()) {
                    long left = totalBytes - sent;
                    if (left <= 0) {
                      done = true;
                      requests.onCompleted();
                      return;
                    }
                    byte[] message = left >= chunk.length ? chunk : java.util.Arrays.copyOf(chunk, (int) left);
                    requests.onNext(message);
                    sent += message.length;
                  }
                });
          }

          @Override
          public void onNext(byte[] response) {
            acknowledged.complete(EchoProtocol.decodeTotal(response));
          }

          @Override
          public void onError(Throwable t) {
            acknowledged.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            acknowledged.completeExceptionally(new IllegalStateException("the server ended Sink without an answer"));
          }
        };
    var call = channel.newCall(EchoProtocol.SINK, CallOptions.DEFAULT);
    ClientCalls.asyncClientStreamingCall(call, observer);
    try {
      return acknowledged.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException | InterruptedException e) {
      call.cancel("timed out", e);
      throw e;
    }
  }

  /** Closes the channel, failing calls in flight, and stops its event loop. Idempotent. */
  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    channel.awaitTermination(1, TimeUnit.SECONDS);
    eventLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(1, TimeUnit.SECONDS);
  }
}
