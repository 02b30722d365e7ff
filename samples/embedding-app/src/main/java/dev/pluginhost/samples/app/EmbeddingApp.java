package dev.pluginhost.samples.app;

import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An application that embeds the host as an ordinary library dependency.
 *
 * <pre>
 * java -jar embedding-app.jar PLUGINS_DIR            greets through the hello plugin and exits
 * java -jar embedding-app.jar PLUGINS_DIR --serve    prints each plugin's pid, then serves until killed
 * </pre>
 */
public final class EmbeddingApp {
  private EmbeddingApp() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: embedding-app PLUGINS_DIR [--serve]");
      System.exit(2);
    }
    boolean serve = args.length > 1 && args[1].equals("--serve");
    PluginHost host = PluginHost.builder().pluginsDirectory(Path.of(args[0])).build();
    host.startAsync().awaitRunning(Duration.ofMinutes(2));
    if (serve) {
      for (PluginHandle plugin : host.plugins()) {
        System.out.println("plugin " + plugin.id() + " pid " + plugin.pid().orElse(-1));
      }
      System.out.println("serving");
      System.out.flush();
      // Runs until the process is killed; a SIGKILL gives the host no chance to clean up, which
      // is what the plugins' lifeline is for.
      Thread.currentThread().join();
      return;
    }
    try (host) {
      System.out.println(host.plugin("hello").callText("greet", "embedder", Duration.ofSeconds(10)));
    }
  }
}
