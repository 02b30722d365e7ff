package dev.pluginhost.host.internal.io;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The last lines a process wrote, across its stdout and stderr, for the record of its death.
 * Bounded in lines and in line length. Thread-safe.
 */
public final class OutputTail {
  static final int MAX_LINE_CHARS = 500;

  private final int capacity;
  private final ArrayDeque<String> lines;

  public OutputTail(int capacity) {
    this.capacity = capacity;
    this.lines = new ArrayDeque<>(capacity);
  }

  public synchronized void add(String line) {
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line.length() > MAX_LINE_CHARS ? line.substring(0, MAX_LINE_CHARS) + "..." : line);
  }

  /** The lines held now, oldest first. */
  public synchronized List<String> snapshot() {
    return List.copyOf(lines);
  }
}
