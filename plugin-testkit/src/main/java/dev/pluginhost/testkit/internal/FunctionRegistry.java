package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions an in-process plugin registered during its start hook, under the runner's rules
 * and with its messages: names of 1 to 128 characters, unique across unary and streaming, no null
 * function, no NON_BLOCKING streaming function, and nothing once {@link #freeze()} was called.
 * Thread-safe.
 */
public final class FunctionRegistry {
  public static final int MAX_NAME_LENGTH = 128;

  private final Map<String, UnaryFunction> unary = new ConcurrentHashMap<>();
  private final Map<String, StreamingFunction> streaming = new ConcurrentHashMap<>();
  private final Set<String> nonBlocking = ConcurrentHashMap.newKeySet();
  private final Set<String> idempotent = ConcurrentHashMap.newKeySet();
  private volatile boolean frozen;

  /**
   * @throws IllegalStateException once frozen
   * @throws IllegalArgumentException for a bad or taken name, or a null function
   */
  public synchronized void addUnary(String name, UnaryFunction function, FunctionOption... options) {
    checkCanAdd(name, function);
    unary.put(name, function);
    recordOptions(name, options);
  }

  /** {@link #addUnary}'s rules, and a streaming function cannot be NON_BLOCKING. */
  public synchronized void addStreaming(String name, StreamingFunction function, FunctionOption... options) {
    checkCanAdd(name, function);
    for (FunctionOption option : options == null ? new FunctionOption[0] : options) {
      if (option == FunctionOption.NON_BLOCKING) {
        throw new IllegalArgumentException(
            "streaming function '" + name + "' cannot be NON_BLOCKING: it waits on its pipe");
      }
    }
    streaming.put(name, function);
    recordOptions(name, options);
  }

  private void recordOptions(String name, FunctionOption... options) {
    for (FunctionOption option : options == null ? new FunctionOption[0] : options) {
      if (option == FunctionOption.IDEMPOTENT) {
        idempotent.add(name);
      } else if (option == FunctionOption.NON_BLOCKING) {
        nonBlocking.add(name);
      }
    }
  }

  private void checkCanAdd(String name, Object function) {
    if (frozen) {
      throw new IllegalStateException("functions can only be registered during Plugin.start");
    }
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "a function name must have 1 to " + MAX_NAME_LENGTH + " characters: '" + name + "'");
    }
    if (function == null) {
      throw new IllegalArgumentException("function '" + name + "' is null");
    }
    if (unary.containsKey(name) || streaming.containsKey(name)) {
      throw new IllegalArgumentException("function '" + name + "' is already registered");
    }
  }

  /** Ends registration; called when the start hook returns or throws. Idempotent. */
  public synchronized void freeze() {
    frozen = true;
  }

  /** The unary or text function {@code name} (a text one wrapped in UTF-8), or null. */
  public UnaryFunction unary(String name) {
    return unary.get(name);
  }

  /** The streaming function {@code name}, or null. */
  public StreamingFunction streaming(String name) {
    return streaming.get(name);
  }

  /** Whether {@code name} was declared {@link FunctionOption#NON_BLOCKING}. */
  public boolean nonBlocking(String name) {
    return nonBlocking.contains(name);
  }

  /** Whether {@code name} was declared {@link FunctionOption#IDEMPOTENT}. */
  public boolean idempotent(String name) {
    return idempotent.contains(name);
  }

  /** Every name, unary or streaming, sorted. */
  public List<String> names() {
    Set<String> names = new TreeSet<>(unary.keySet());
    names.addAll(streaming.keySet());
    return List.copyOf(new ArrayList<>(names));
  }

  /** The names for an error that says what the plugin does have, as the runner words it. */
  public String describe() {
    List<String> names = names();
    return names.isEmpty() ? "(none)" : String.join(", ", names);
  }
}
