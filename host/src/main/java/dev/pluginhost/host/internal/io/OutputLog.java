package dev.pluginhost.host.internal.io;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.OutputLine;
import dev.pluginhost.host.Registration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recent output of one plugin, across all its processes and restarts: the lines its drains
 * let through to the host's log, and their drop notices. Keeps the last {@link #MAX_LINES} lines,
 * fewer when those hold more than {@link #MAX_BYTES} of text, and hands every new line to its
 * watchers.
 *
 * <p>Thread-safe. {@link #add} is called by the drain threads and never blocks on a watcher: each
 * watcher has a bounded queue of its own ({@link #WATCH_QUEUE_LINES} lines, {@link #MAX_BYTES} of
 * text), emptied on its executor; lines that find it full are dropped for that watcher alone and
 * counted, and it gets a drop notice in their place once it has caught up.
 */
public final class OutputLog {
  private static final Logger log = LoggerFactory.getLogger(OutputLog.class);
  /** Lines kept for {@code recent}. */
  public static final int MAX_LINES = 1000;
  /** Text kept for {@code recent}, and queued for one watcher, at most, counted two bytes a character. */
  public static final long MAX_BYTES = 1L << 20;
  /** Lines queued for one watcher at most. */
  public static final int WATCH_QUEUE_LINES = 1000;
  /** Lines one delivery task hands over before it makes way for other work on the executor. */
  private static final int DELIVERY_BATCH = 100;
  /** The watcher whose delivery runs on this thread, if one does. */
  private static final ThreadLocal<Object> DELIVERING = new ThreadLocal<>();

  private final String pluginId;
  private final int maxLines;
  private final long maxBytes;
  private final int watchLines;
  private final long watchBytes;
  private final ArrayDeque<OutputLine> lines = new ArrayDeque<>();
  private long bytes;
  private final CopyOnWriteArrayList<Watcher> watchers = new CopyOnWriteArrayList<>();

  public OutputLog(String pluginId) {
    this(pluginId, MAX_LINES, MAX_BYTES, WATCH_QUEUE_LINES, MAX_BYTES);
  }

  OutputLog(String pluginId, int maxLines, long maxBytes, int watchLines, long watchBytes) {
    this.pluginId = checkNotNull(pluginId, "pluginId");
    this.maxLines = maxLines;
    this.maxBytes = maxBytes;
    this.watchLines = watchLines;
    this.watchBytes = watchBytes;
  }

  /** Keeps {@code line} and hands it to every watcher. Never blocks on a watcher. */
  public void add(OutputLine line) {
    checkNotNull(line, "line");
    List<Watcher> toSchedule = null;
    synchronized (this) {
      lines.addLast(line);
      bytes += size(line);
      while (lines.size() > 1 && (lines.size() > maxLines || bytes > maxBytes)) {
        bytes -= size(lines.removeFirst());
      }
      // Queued under this lock, so every watcher sees the lines in the order they are kept.
      for (Watcher watcher : watchers) {
        if (watcher.offer(line)) {
          if (toSchedule == null) {
            toSchedule = new ArrayList<>(2);
          }
          toSchedule.add(watcher);
        }
      }
    }
    if (toSchedule != null) {
      toSchedule.forEach(Watcher::schedule);
    }
  }

  /** The last {@code count} lines kept, oldest first; fewer if fewer are kept. */
  public synchronized List<OutputLine> recent(int count) {
    checkArgument(count >= 0, "count is %s", count);
    List<OutputLine> out = new ArrayList<>(Math.min(count, lines.size()));
    Iterator<OutputLine> newestFirst = lines.descendingIterator();
    for (int i = 0; i < count && newestFirst.hasNext(); i++) {
      out.add(newestFirst.next());
    }
    Collections.reverse(out);
    return out;
  }

  /**
   * Hands every later line to {@code listener} on {@code executor}, one at a time and in order,
   * until the returned registration is closed.
   */
  public Registration watch(Consumer<OutputLine> listener, Executor executor) {
    Watcher watcher = new Watcher(checkNotNull(listener, "listener"), checkNotNull(executor, "executor"));
    synchronized (this) {
      watchers.add(watcher);
    }
    return watcher;
  }

  /** How many watchers are registered now. */
  int watcherCount() {
    return watchers.size();
  }

  private static long size(OutputLine line) {
    return 2L * line.text().length();
  }

  private record Source(long pid, OutputLine.Stream stream) {}

  private final class Watcher implements Registration {
    private final Consumer<OutputLine> listener;
    private final Executor executor;
    private final ArrayDeque<OutputLine> queue = new ArrayDeque<>();
    private final Map<Source, Long> dropped = new LinkedHashMap<>();
    private long queuedBytes;
    /** A delivery task is on the executor or running; only one ever is, which keeps the order. */
    private boolean scheduled;
    /** Set when an executor that runs tasks inline asked the deliver() already running to go on. */
    private boolean again;
    private volatile boolean closed;

    Watcher(Consumer<OutputLine> listener, Executor executor) {
      this.listener = listener;
      this.executor = executor;
    }

    /** Queues the line, or counts it dropped; returns whether a delivery task must be started. */
    synchronized boolean offer(OutputLine line) {
      if (closed) {
        return false;
      }
      if (queue.size() >= watchLines || queuedBytes + size(line) > watchBytes) {
        dropped.merge(new Source(line.pid(), line.stream()), Math.max(1, line.dropped()), Long::sum);
        return false;
      }
      queueDropNotices();
      queue.addLast(line);
      queuedBytes += size(line);
      if (scheduled) {
        return false;
      }
      scheduled = true;
      return true;
    }

    /** Must hold this watcher's lock. Notices may take the queue a few lines past its bound. */
    private void queueDropNotices() {
      if (dropped.isEmpty()) {
        return;
      }
      Instant now = Instant.now();
      dropped.forEach(
          (source, count) ->
              queue.addLast(
                  OutputLine.dropNotice(
                      now, source.pid(), source.stream(), count,
                      count + " lines of " + source.stream().name().toLowerCase(Locale.ROOT)
                          + " from pid " + source.pid() + " were left out here: this watcher fell behind")));
      dropped.clear();
    }

    void schedule() {
      try {
        executor.execute(this::deliver);
      } catch (RejectedExecutionException e) {
        log.warn("plugin {}: an output watcher's executor refused work; the watcher is closed", pluginId, e);
        close();
      }
    }

    private void deliver() {
      Object outer = DELIVERING.get();
      if (outer == this) {
        // The executor ran this on the thread already delivering: let that loop go on, not recurse.
        again = true;
        return;
      }
      DELIVERING.set(this);
      try {
        do {
          again = false;
          if (deliverBatch()) {
            // More is waiting: go to the back of the executor's line rather than hold a shared thread.
            schedule();
          }
        } while (again);
      } finally {
        DELIVERING.set(outer);
      }
    }

    /** Hands over up to a batch of lines; returns whether more are waiting. */
    private boolean deliverBatch() {
      for (int i = 0; i < DELIVERY_BATCH; i++) {
        OutputLine next;
        synchronized (this) {
          if (closed) {
            scheduled = false;
            return false;
          }
          if (queue.isEmpty()) {
            queueDropNotices();
          }
          next = queue.pollFirst();
          if (next == null) {
            scheduled = false;
            return false;
          }
          queuedBytes -= size(next);
        }
        try {
          listener.accept(next);
        } catch (RuntimeException e) {
          log.warn("an output watcher of plugin {} threw", pluginId, e);
        }
      }
      return true;
    }

    @Override
    public void close() {
      closed = true;
      watchers.remove(this);
      synchronized (this) {
        queue.clear();
        dropped.clear();
        queuedBytes = 0;
      }
    }
  }
}
