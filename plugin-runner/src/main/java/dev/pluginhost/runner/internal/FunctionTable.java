package dev.pluginhost.runner.internal;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.StreamingFunction;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.proto.runner.v1.FunctionInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The functions a plugin registered during its start hook; frozen once the hook returns. */
final class FunctionTable {
  static final int MAX_NAME_LENGTH = 128;

  private final Map<String, UnaryFunction> unary = new ConcurrentHashMap<>();
  private final Map<String, StreamingFunction> streaming = new ConcurrentHashMap<>();
  private final Set<String> idempotent = ConcurrentHashMap.newKeySet();
  private final Set<String> nonBlocking = ConcurrentHashMap.newKeySet();
  private volatile boolean frozen;

  void addUnary(String name, UnaryFunction function, FunctionOption... options) {
    checkCanAdd(name, function);
    unary.put(name, function);
    recordOptions(name, options);
  }

  void addStreaming(String name, StreamingFunction function, FunctionOption... options) {
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

  private synchronized void checkCanAdd(String name, Object function) {
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

  synchronized void freeze() {
    frozen = true;
  }

  UnaryFunction unary(String name) {
    return unary.get(name);
  }

  /** Whether the unary function {@code name} was declared {@link FunctionOption#NON_BLOCKING}. */
  boolean nonBlocking(String name) {
    return nonBlocking.contains(name);
  }

  StreamingFunction streaming(String name) {
    return streaming.get(name);
  }

  /** Every function, sorted by name, as the host sees them. */
  List<FunctionInfo> describe() {
    Map<String, FunctionInfo.Kind> kinds = new TreeMap<>();
    unary.keySet().forEach(name -> kinds.put(name, FunctionInfo.Kind.UNARY));
    streaming.keySet().forEach(name -> kinds.put(name, FunctionInfo.Kind.STREAMING));
    List<FunctionInfo> infos = new ArrayList<>();
    kinds.forEach(
        (name, kind) ->
            infos.add(
                FunctionInfo.newBuilder()
                    .setName(name)
                    .setKind(kind)
                    .setIdempotent(idempotent.contains(name))
                    .build()));
    return infos;
  }

  /** The names, for an error that says what the plugin does have. */
  String names() {
    List<String> names = new ArrayList<>();
    describe().forEach(info -> names.add(info.getName()));
    return names.isEmpty() ? "(none)" : String.join(", ", names);
  }
}
