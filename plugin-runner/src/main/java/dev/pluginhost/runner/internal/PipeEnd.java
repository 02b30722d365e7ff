package dev.pluginhost.runner.internal;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.Pipe;
import dev.pluginhost.proto.runner.v1.PipeFrame;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * The plugin's end of a streaming call: a blocking {@link Pipe} over gRPC's asynchronous stream,
 * with flow control both ways. The runner keeps at most a window of the caller's messages asked
 * for or waiting ({@code WireProtocol.pipeWindow}: up to four, within 16 MiB; one more is asked
 * for each time the plugin takes one), and {@link #send}
 * waits while the transport is not ready, so neither a fast caller nor a fast plugin can grow the
 * other's memory beyond a few messages. A window of a few rather than one keeps a stream moving
 * while the plugin's thread and the event loop hand messages over.
 */
final class PipeEnd implements Pipe {
  private static final Object END = new Object();
  private static final Object CANCELLED = new Object();

  private final ServerCallStreamObserver<PipeFrame> responses;
  private final GrpcCallContext call;
  private final LinkedBlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private final Object readiness = new Object();
  private volatile boolean cancelled;
  private boolean ended;

  PipeEnd(ServerCallStreamObserver<PipeFrame> responses, GrpcCallContext call) {
    this.responses = responses;
    this.call = call;
  }

  /** Asks for the first window of {@code window} messages; called once, when the pipe opens. */
  void start(int window) {
    responses.request(window);
  }

  /** A data frame from the caller. Called by gRPC, one message at a time. */
  void deliver(ByteString data) {
    inbound.add(data.toByteArray());
  }

  /** The caller half-closed: it will send nothing more. */
  void deliverEnd() {
    inbound.add(END);
  }

  /** The call was cancelled or failed on the caller's side. */
  void deliverCancel() {
    cancelled = true;
    inbound.add(CANCELLED);
    signalReadiness();
  }

  @Override
  public byte[] receive() throws InterruptedException {
    if (ended) {
      return null;
    }
    checkNotCancelled();
    Object next = inbound.take();
    if (next == CANCELLED) {
      inbound.add(CANCELLED);
      throw cancelledException();
    }
    if (next == END) {
      ended = true;
      return null;
    }
    responses.request(1);
    return (byte[]) next;
  }

  @Override
  public void send(byte[] message) throws InterruptedException {
    synchronized (readiness) {
      while (!responses.isReady()) {
        checkNotCancelled();
        // The ready handler wakes us; the timeout covers a readiness change it did not report.
        readiness.wait(50);
      }
    }
    checkNotCancelled();
    responses.onNext(PipeFrame.newBuilder().setData(ByteString.copyFrom(message)).build());
  }

  /** The transport became ready for more; wakes a waiting {@link #send}. */
  void signalReadiness() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  private void checkNotCancelled() {
    if (cancelled || call.isCancelled()) {
      throw cancelledException();
    }
  }

  private CallCancelledException cancelledException() {
    return new CallCancelledException(
        "call to '" + call.function() + "' was cancelled or passed its deadline");
  }

}
