package dev.pluginhost.samples.hanger;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;

/**
 * Hangs on request: the host cannot stop a Java thread, so it must notice the hang and kill the
 * whole JVM.
 */
public final class HangerPlugin implements Plugin {
  private static volatile long sink;

  @Override
  public void start(PluginContext context) throws InterruptedException {
    // A start hook that takes as long as its configuration says: a slow or stuck initializer.
    long startDelay = Long.parseLong(context.config().getOrDefault("startDelayMillis", "0"));
    if (startDelay > 0) {
      Thread.sleep(startDelay);
    }
    context.registerText("ping", (call, input) -> "pong");
    // Spins on the CPU forever and ignores cancellation, as a bug in a tight loop would.
    context.registerText(
        "spin",
        (call, input) -> {
          long x = 0;
          while (true) {
            x++;
            sink = x;
          }
        });
    // Sleeps the given milliseconds, stopping early when the call is cancelled: a polite handler.
    context.registerText(
        "sleep",
        (call, input) -> {
          long until = System.nanoTime() + Long.parseLong(input.trim()) * 1_000_000L;
          while (System.nanoTime() < until && !call.isCancelled()) {
            Thread.sleep(5);
          }
          return call.isCancelled() ? "cancelled" : "slept";
        });
  }
}
