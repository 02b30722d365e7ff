package dev.pluginhost.runner;

import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.RunnerBootstrap;
import dev.pluginhost.runner.internal.Lifeline;
import dev.pluginhost.runner.internal.NoInheritedInput;
import dev.pluginhost.runner.internal.UninheritedProperties;
import dev.pluginhost.runner.internal.Runner;
import java.io.InputStream;

/**
 * The main class of every plugin JVM. Not for plugin authors: the host starts it.
 *
 * <p>It reads one {@link RunnerBootstrap} from standard input (secrets never travel in argv or
 * the environment), binds the given Unix socket, tells the host it is ready with one line on
 * standard output, and serves the plugin until the host shuts it down or goes away. Standard
 * input stays open for the runner's whole life; when it reaches end of file the host has died,
 * and the runner exits at once.
 */
public final class RunnerMain {

  /**
   * A testing hook: makes this runner claim another protocol version, so tests can prove that
   * mismatched hosts and runners refuse each other. Never set in production.
   */
  public static final String PROTOCOL_OVERRIDE_PROPERTY = "pluginhost.runner.testing.protocolVersion";

  private RunnerMain() {}

  public static void main(String[] args) throws Exception {
    InputStream hostPipe = System.in;
    RunnerBootstrap bootstrap = RunnerBootstrap.parseDelimitedFrom(hostPipe);
    if (bootstrap == null) {
      System.err.println("pluginhost-runner: no bootstrap on stdin; this JVM is started by a host");
      System.exit(2);
    }
    // The real stdin belongs to the host; the plugin's fails loudly when read.
    System.setIn(new NoInheritedInput(bootstrap.getPluginId()));
    // And reading a global the host's application set fails loudly too, rather than reading null.
    UninheritedProperties.install(bootstrap.getPluginId(), java.util.Set.copyOf(bootstrap.getHostPropertyNamesList()));
    int protocolVersion = Integer.getInteger(PROTOCOL_OVERRIDE_PROPERTY, WireProtocol.VERSION);
    Runner runner = new Runner(bootstrap, protocolVersion);
    Lifeline.watch(hostPipe, runner::exitBecauseHostIsGone);
    runner.serve();
  }
}
