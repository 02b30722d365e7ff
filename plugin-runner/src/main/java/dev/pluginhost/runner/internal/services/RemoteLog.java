package dev.pluginhost.runner.internal.services;

import dev.pluginhost.plugin.api.StructuredLog;
import dev.pluginhost.proto.runner.v1.LogRecord;
import dev.pluginhost.proto.runner.v1.LogRequest;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Structured records sent to the host by one background thread, in order and in batches. The
 * plugin never waits: a record that finds the queue full is dropped and counted, and the count
 * goes to the host with the next batch.
 */
final class RemoteLog implements StructuredLog {
  static final int QUEUE_RECORDS = 1000;
  private static final int BATCH_RECORDS = 100;
  private static final Duration SEND_TIMEOUT = Duration.ofSeconds(10);

  private final HostConnection host;
  private final GrantCheck grants;
  private final BlockingQueue<LogRecord> queue = new ArrayBlockingQueue<>(QUEUE_RECORDS);
  private final AtomicLong dropped = new AtomicLong();
  /** Records queued or being sent: what a flush waits for. */
  private final AtomicLong outstanding = new AtomicLong();
  private Thread sender;

  RemoteLog(HostConnection host, GrantCheck grants) {
    this.host = host;
    this.grants = grants;
  }

  @Override
  public void log(Level level, String message, Map<String, String> fields) {
    Objects.requireNonNull(level, "level");
    Objects.requireNonNull(message, "message");
    Objects.requireNonNull(fields, "fields");
    grants.require("log");
    LogRecord record =
        LogRecord.newBuilder()
            .setLevel(level(level))
            .setMessage(message)
            .putAllFields(fields)
            .build();
    startSender();
    outstanding.incrementAndGet();
    if (!queue.offer(record)) {
      outstanding.decrementAndGet();
      dropped.incrementAndGet();
    }
  }

  /**
   * Waits, at most {@code timeout}, until the records logged so far have been handed to the host:
   * the runner calls it before the JVM ends on a graceful stop, so the stop hook's records arrive.
   */
  void flush(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (this) {
      while (outstanding.get() > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(this, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  private synchronized void startSender() {
    if (sender == null) {
      sender = new Thread(this::sendForever, "pluginhost-log-sender");
      sender.setDaemon(true);
      sender.start();
    }
  }

  private void sendForever() {
    List<LogRecord> batch = new ArrayList<>(BATCH_RECORDS);
    while (true) {
      try {
        batch.add(queue.take());
      } catch (InterruptedException e) {
        return;
      }
      queue.drainTo(batch, BATCH_RECORDS - 1);
      long droppedNow = dropped.getAndSet(0);
      try {
        host.blocking(SEND_TIMEOUT).log(LogRequest.newBuilder().addAllRecords(batch).setDropped(droppedNow).build());
      } catch (RuntimeException e) {
        // The host is gone or overloaded; these records are lost, and said to be with the next batch.
        dropped.addAndGet(droppedNow + batch.size());
      }
      outstanding.addAndGet(-batch.size());
      batch.clear();
      synchronized (this) {
        notifyAll();
      }
    }
  }

  private static LogRecord.Level level(Level level) {
    switch (level) {
      case ALL:
      case TRACE:
        return LogRecord.Level.TRACE;
      case DEBUG:
        return LogRecord.Level.DEBUG;
      case WARNING:
        return LogRecord.Level.WARN;
      case ERROR:
        return LogRecord.Level.ERROR;
      default:
        return LogRecord.Level.INFO;
    }
  }
}
