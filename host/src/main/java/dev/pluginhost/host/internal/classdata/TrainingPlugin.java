package dev.pluginhost.host.internal.classdata;

import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.Pipe;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;

/**
 * The plugin a training JVM serves while its class-data archive is made: an echo, a text echo and
 * a streaming echo, enough to take a plugin JVM through every step a real one takes. It never runs
 * in the host: its class file is copied into a jar of its own (see {@link TrainingJar}), which the
 * runner opens in a plugin class loader like any plugin's, so it may use the plugin API and the JDK
 * and nothing else.
 */
public final class TrainingPlugin implements Plugin {
  /** The id its descriptor declares. */
  public static final String ID = "pluginhost-class-data-training";

  @Override
  public void start(PluginContext context) {
    context.register("echo", TrainingPlugin::echo);
    context.registerText("echoText", (call, input) -> input);
    context.registerStreaming("echoStream", TrainingPlugin::echoStream);
  }

  private static byte[] echo(CallContext call, byte[] input) {
    return input;
  }

  private static void echoStream(CallContext call, Pipe pipe) throws InterruptedException {
    for (byte[] message = pipe.receive(); message != null; message = pipe.receive()) {
      pipe.send(message);
    }
  }
}
