package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.Pipe;
import dev.pluginhost.testkit.CallFailedException;
import dev.pluginhost.testkit.CallerPipe;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Both ends of one in-process streaming call, with the runner's and the host's semantics: a window
 * of {@value #WINDOW} messages each way (a sender waits while the other side is that far behind),
 * the plugin's {@code receive()} null once the test closed its sending side, {@link
 * CallCancelledException} on the plugin's side once the call is cancelled or past its deadline,
 * and on the test's side the messages the plugin sent before its function ended, then null (it
 * returned) or its failure.
 */
public final class LocalPipe implements CallerPipe {
  /** The runner's and the host's window for small messages. */
  public static final int WINDOW = 4;

  private final String pluginId;
  private final LocalCallContext call;
  private final int maxMessageBytes;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<byte[]> toPlugin = new ArrayDeque<>();
  private final ArrayDeque<byte[]> toTest = new ArrayDeque<>();
  private final PluginEnd pluginEnd = new PluginEnd();
  private boolean sendClosed;
  private boolean pluginReadEnd;
  private boolean returned;
  private CallFailedException failure;

  public LocalPipe(String pluginId, LocalCallContext call, int maxMessageBytes) {
    this.pluginId = pluginId;
    this.call = call;
    this.maxMessageBytes = maxMessageBytes;
    call.whenCancelled(this::onCancelled);
  }

  /** The plugin's end, handed to its streaming function. */
  public Pipe pluginEnd() {
    return pluginEnd;
  }

  /**
   * The function returned: the test reads what is left, then null; or, if the call was cut short
   * before (cancelled, or past its deadline by the clock though its timer has not fired yet), the
   * verdict the host gives then.
   */
  public void functionReturned() {
    if (call.cancelledBeforeFinish()) {
      endWith(Failures.cutShort(pluginId, call));
      return;
    }
    lock.lock();
    try {
      returned = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The function threw, or there is none: the test reads what is left, then this failure (unless
   * the pipe ended first); if the call was cut short before the function ended, the host's verdict
   * then instead, as what a function throws once cancelled is no answer.
   */
  public void functionFailed(CallFailedException error) {
    endWith(call.cancelledBeforeFinish() ? Failures.cutShort(pluginId, call) : error);
  }

  private void onCancelled() {
    // The test's cancel() and an interrupt set their own failure first; what is left is the
    // deadline's timer, or the kit closing the plugin under the call.
    endWith(Failures.cutShort(pluginId, call));
  }

  private void endWith(CallFailedException error) {
    lock.lock();
    try {
      if (failure == null && !returned) {
        failure = error;
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  // The test's end.

  @Override
  public void send(byte[] message) {
    byte[] copy = message.clone();
    if (copy.length > maxMessageBytes) {
      CallFailedException tooLarge = Failures.tooLarge(pluginId, call.function(), "message", copy.length, maxMessageBytes);
      endWith(tooLarge);
      call.cancel();
      throw tooLarge;
    }
    lock.lock();
    try {
      if (sendClosed) {
        throw new IllegalStateException("closeSend() was called; the pipe sends nothing more");
      }
      while (true) {
        if (failure != null) {
          throw failure;
        }
        if (returned) {
          throw new IllegalStateException("the plugin's function has already returned; the pipe is closed");
        }
        if (toPlugin.size() < WINDOW) {
          toPlugin.add(copy);
          changed.signalAll();
          return;
        }
        awaitUntilDeadline();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void closeSend() {
    lock.lock();
    try {
      sendClosed = true;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public byte[] receive() {
    lock.lock();
    try {
      while (true) {
        byte[] next = toTest.poll();
        if (next != null) {
          changed.signalAll();
          return next;
        }
        if (failure != null) {
          throw failure;
        }
        if (returned) {
          return null;
        }
        awaitUntilDeadline();
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits for a change, at most until the deadline; past it, ends the call as the timer would. */
  private void awaitUntilDeadline() {
    long nanos = call.remainingNanos();
    if (nanos <= 0) {
      lock.unlock();
      try {
        call.cancel();
      } finally {
        lock.lock();
      }
      endWith(Failures.deadlineExceeded(pluginId, call.function(), call.timeout()));
      return;
    }
    try {
      changed.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = failure != null ? failure : Failures.interrupted(pluginId, call.function());
      lock.unlock();
      try {
        call.cancel();
      } finally {
        lock.lock();
      }
    }
  }

  @Override
  public void cancel() {
    lock.lock();
    try {
      if (failure != null || returned) {
        return;
      }
      failure = Failures.pipeCancelled(pluginId, call.function());
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    call.cancel();
  }

  @Override
  public void close() {
    cancel();
  }

  /** The plugin's end: {@link Pipe}'s contract as the runner's {@code PipeEnd} keeps it. */
  private final class PluginEnd implements Pipe {
    @Override
    public byte[] receive() throws InterruptedException {
      lock.lock();
      try {
        if (pluginReadEnd) {
          return null;
        }
        while (true) {
          checkNotCancelled();
          byte[] next = toPlugin.poll();
          if (next != null) {
            changed.signalAll();
            return next;
          }
          if (sendClosed) {
            pluginReadEnd = true;
            return null;
          }
          awaitCancellable();
        }
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void send(byte[] message) throws InterruptedException {
      byte[] copy = message.clone();
      if (copy.length > maxMessageBytes) {
        // The host refuses a message over its limit, which ends the stream.
        endWith(Failures.tooLarge(pluginId, call.function(), "message", copy.length, maxMessageBytes));
        call.cancel();
      }
      lock.lock();
      try {
        while (true) {
          checkNotCancelled();
          if (toTest.size() < WINDOW) {
            toTest.add(copy);
            changed.signalAll();
            return;
          }
          awaitCancellable();
        }
      } finally {
        lock.unlock();
      }
    }

    private void awaitCancellable() throws InterruptedException {
      long nanos = call.remainingNanos();
      if (nanos > 0) {
        changed.await(nanos, TimeUnit.NANOSECONDS);
      }
    }

    private void checkNotCancelled() {
      if (call.isCancelled() || failure != null) {
        throw new CallCancelledException("call to '" + call.function() + "' was cancelled or passed its deadline");
      }
    }
  }
}
