package dev.pluginhost.samples.squares;

import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The worker of multiprocessing's examples: squares numbers. Each answer says which process gave
 * it ({@code "49@2-9f3c..."}: its pid and a random tag), so tests can see how work spread over a
 * pool.
 */
public final class SquaresPlugin implements Plugin {
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong sawCancelled = new AtomicLong();
  private final AtomicLong running = new AtomicLong();

  @Override
  public void start(PluginContext context) {
    // Which process answered: inside the host's sandbox every plugin JVM is pid 2 of its own
    // namespace, so the pid alone cannot tell a pool's processes apart.
    String pid = ProcessHandle.current().pid() + "-" + Long.toHexString(new java.security.SecureRandom().nextLong());
    // Safe to run twice: the host may retry it on another process if this one dies. And quick and
    // pure, so the runner may run it on the thread that reads calls, without handing it over.
    context.registerText(
        "square", (call, input) -> square(input) + "@" + pid, FunctionOption.IDEMPOTENT, FunctionOption.NON_BLOCKING);
    // The same, run the ordinary way, on a call thread of its own.
    context.registerText("squareOnThread", (call, input) -> square(input) + "@" + pid, FunctionOption.IDEMPOTENT);
    // Input "n ms": squares n after working ms milliseconds, stopping early if cancelled.
    context.registerText(
        "slowSquare",
        (call, input) -> {
          String[] parts = input.trim().split(" ");
          long until = System.nanoTime() + Long.parseLong(parts[1]) * 1_000_000L;
          running.incrementAndGet();
          try {
            while (System.nanoTime() < until) {
              if (call.isCancelled()) {
                sawCancelled.incrementAndGet();
                return "cancelled@" + pid;
              }
              Thread.sleep(1);
            }
            return square(parts[0]) + "@" + pid;
          } finally {
            running.decrementAndGet();
          }
        },
        FunctionOption.IDEMPOTENT);
    // Not declared idempotent: a call lost with its process is reported, never run again.
    context.registerText("squareOnce", (call, input) -> square(input) + "@" + pid);
    context.registerText("served", (call, input) -> Long.toString(served.get()));
    context.registerText("running", (call, input) -> Long.toString(running.get()));
    // How many slowSquare calls this process saw cancelled, and stopped.
    context.registerText("sawCancelled", (call, input) -> Long.toString(sawCancelled.get()));
  }

  private long square(String input) {
    served.incrementAndGet();
    long n = Long.parseLong(input.trim());
    return n * n;
  }
}
