package dev.pluginhost.samples.probe;

import com.google.common.collect.ImmutableList;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reports what a plugin JVM can see of the world, one {@code key=value} per line, so tests and
 * operators can check it inherited nothing from the host. It bundles its own, older Guava in
 * {@code lib/} to show a plugin's libraries live apart from the host's.
 */
public final class ProbePlugin implements Plugin {

  @Override
  public void start(PluginContext context) {
    context.registerText("env", (call, input) -> lines(System.getenv()));
    context.registerText("properties", (call, input) -> lines(properties()));
    context.registerText("fds", (call, input) -> openFiles());
    // Input: a class name. Says whether the plugin's class loader can load it.
    context.registerText("canLoad", (call, className) -> canLoad(className.trim()) ? "yes" : "no");
    context.registerText(
        "guava",
        (call, input) ->
            ImmutableList.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    context.registerText(
        "dirs",
        (call, input) ->
            lines(
                Map.of(
                    "cwd", Path.of("").toAbsolutePath().toString(),
                    "tmp", System.getProperty("java.io.tmpdir"),
                    "data", context.dataDirectory().toString(),
                    "dataWritable", Boolean.toString(Files.isWritable(context.dataDirectory())))));
    context.registerText("stdin", (call, input) -> Integer.toString(System.in.read()));
    context.registerText("config", (call, input) -> lines(context.config()));
    // Input: a path. Its first line, or what stopped the plugin from reading it.
    context.registerText("readFile", (call, path) -> attempt(() -> Files.readAllLines(Path.of(path.trim())).get(0)));
    // Input: host:port. Whether a TCP connection could be made.
    context.registerText(
        "connect",
        (call, address) ->
            attempt(
                () -> {
                  String[] parts = address.trim().split(":");
                  try (java.net.Socket socket = new java.net.Socket()) {
                    socket.connect(new java.net.InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 2000);
                    return "connected";
                  }
                }));
  }

  /** What an attempt gave, or "denied: " and the exception that stopped it. */
  private static String attempt(java.util.concurrent.Callable<String> action) {
    try {
      return action.call();
    } catch (Exception e) {
      return "denied: " + e;
    }
  }

  private static Map<String, String> properties() {
    Map<String, String> all = new TreeMap<>();
    System.getProperties().forEach((k, v) -> all.put(String.valueOf(k), String.valueOf(v)));
    return all;
  }

  private static boolean canLoad(String className) {
    try {
      Class.forName(className, false, ProbePlugin.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Each open descriptor and what it points at, from /proc/self/fd. */
  private static String openFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(
              fd -> {
                try {
                  return fd.getFileName() + "=" + Files.readSymbolicLink(fd);
                } catch (IOException e) {
                  return fd.getFileName() + "=?";
                }
              })
          .sorted()
          .collect(Collectors.joining("\n"));
    }
  }

  private static String lines(Map<String, String> map) {
    return new TreeMap<>(map)
        .entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("\n"));
  }
}
