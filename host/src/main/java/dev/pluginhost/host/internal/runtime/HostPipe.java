package dev.pluginhost.host.internal.runtime;

import static com.google.common.util.concurrent.MoreExecutors.directExecutor;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.ProcessDeath;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.PipeFrame;
import dev.pluginhost.proto.runner.v1.PipeOpen;
import io.grpc.Deadline;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The host's end of one streaming call: a blocking {@link PluginPipe} over gRPC's asynchronous
 * stream, with flow control both ways (a window of the plugin's messages asked for or waiting,
 * {@code WireProtocol.pipeWindow}: up to four, within 16 MiB; one more asked for as the caller
 * takes one; {@link #send} waits while the transport is not ready).
 */
final class HostPipe implements TrackedPipe, InFlight {
  private static final Object END = new Object();
  /** Extra time {@link #receive} waits past the deadline for gRPC's own verdict to arrive. */
  private static final long VERDICT_SLACK_MILLIS = 1000;

  private final PluginProcess process;
  private final String function;
  private final Deadline deadline;
  private final Duration timeout;
  private final LinkedBlockingQueue<Object> inbound = new LinkedBlockingQueue<>();
  private final SettableFuture<Void> ended = SettableFuture.create();
  private final Object readiness = new Object();
  private final Object sending = new Object();
  private ClientCallStreamObserver<PipeFrame> requests;
  private volatile PluginCallException failure;
  private boolean sendClosed;

  private HostPipe(PluginProcess process, String function, Deadline deadline, Duration timeout) {
    this.process = process;
    this.function = function;
    this.deadline = deadline;
    this.timeout = timeout;
  }

  /** Opens the stream and sends its open frame. */
  static HostPipe open(
      PluginProcess process, String function, Deadline deadline, Duration timeout, Map<String, String> metadata) {
    HostPipe pipe = new HostPipe(process, function, deadline, timeout);
    if (!process.register(pipe)) {
      throw process.notSent(function);
    }
    process.client().asyncStub().withDeadline(deadline).pipe(pipe.new Responses());
    synchronized (pipe.sending) {
      pipe.requests.onNext(
          PipeFrame.newBuilder()
              .setOpen(PipeOpen.newBuilder().setFunction(function).putAllMetadata(metadata))
              .build());
    }
    return pipe;
  }

  private final class Responses implements ClientResponseObserver<PipeFrame, PipeFrame> {
    @Override
    public void beforeStart(ClientCallStreamObserver<PipeFrame> stream) {
      requests = stream;
      stream.disableAutoRequestWithInitial(WireProtocol.pipeWindow(process.settings.maxMessageBytes()));
      stream.setOnReadyHandler(HostPipe.this::signalReadiness);
    }

    @Override
    public void onNext(PipeFrame frame) {
      inbound.add(frame.getData().toByteArray());
    }

    @Override
    public void onError(Throwable t) {
      if (failure != null) {
        ended.set(null);
        return;
      }
      ListenableFuture<PluginCallException> error = CallErrors.fromRpcFailure(process, function, timeout, t);
      error.addListener(() -> endWith(Futures.getUnchecked(error)), directExecutor());
    }

    @Override
    public void onCompleted() {
      // Ended before the caller can read the end: a caller that closes the pipe as soon as it has
      // read it must find it ended, not cancel it (and be counted as cancelled).
      ended.set(null);
      inbound.add(END);
      signalReadiness();
    }
  }

  private void endWith(PluginCallException error) {
    if (failure == null) {
      failure = error;
    }
    inbound.add(failure);
    ended.set(null);
    signalReadiness();
  }

  @Override
  public void send(byte[] message) {
    synchronized (sending) {
      if (sendClosed) {
        throw new IllegalStateException("closeSend() was called; the pipe sends nothing more");
      }
      synchronized (readiness) {
        while (!requests.isReady()) {
          throwIfEnded();
          long remaining = deadline.timeRemaining(TimeUnit.MILLISECONDS);
          if (remaining <= 0) {
            throw CallErrors.deadlineExceeded(process.plugin.id(), function, process.pid(), timeout);
          }
          try {
            readiness.wait(Math.min(remaining, 50));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throwIfEnded();
          }
        }
      }
      throwIfEnded();
      requests.onNext(PipeFrame.newBuilder().setData(ByteString.copyFrom(message)).build());
    }
  }

  @Override
  public void closeSend() {
    synchronized (sending) {
      if (!sendClosed && !ended.isDone()) {
        sendClosed = true;
        requests.onCompleted();
      }
    }
  }

  @Override
  public byte[] receive() {
    Object next;
    try {
      next =
          inbound.poll(
              Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS)) + VERDICT_SLACK_MILLIS,
              TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      cancel();
      next = failure;
    }
    if (next == null) {
      // gRPC enforces the deadline itself; this is only a backstop so receive never hangs.
      cancel();
      throw CallErrors.deadlineExceeded(process.plugin.id(), function, process.pid(), timeout);
    }
    if (next == END || next instanceof PluginCallException) {
      inbound.add(next);
      if (next == END) {
        return null;
      }
      throw (PluginCallException) next;
    }
    requests.request(1);
    return (byte[]) next;
  }

  @Override
  public void cancel() {
    if (ended.isDone()) {
      return;
    }
    endWith(
        new PluginCallException(
            Status.Code.CANCELLED, process.plugin.id(), function, process.pid(),
            "the caller cancelled its pipe to " + process.plugin.id() + "." + function, null, null, null));
    synchronized (sending) {
      requests.cancel("cancelled by the caller", null);
    }
  }

  @Override
  public void close() {
    cancel();
  }

  @Override
  public void processDied(ProcessDeath death) {
    endWith(CallErrors.processDied(process.plugin.id(), function, death));
    synchronized (sending) {
      requests.cancel("the plugin process died", null);
    }
  }

  @Override
  public ListenableFuture<?> completion() {
    return ended;
  }

  @Override
  public PluginCallException failure() {
    return failure;
  }

  private void throwIfEnded() {
    PluginCallException error = failure;
    if (error != null) {
      throw error;
    }
    if (ended.isDone()) {
      throw new IllegalStateException("the plugin's function has already returned; the pipe is closed");
    }
  }

  private void signalReadiness() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }
}
