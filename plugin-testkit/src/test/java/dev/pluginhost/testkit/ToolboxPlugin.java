package dev.pluginhost.testkit;

import dev.pluginhost.plugin.api.CallCancelledException;
import dev.pluginhost.plugin.api.FunctionOption;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.PluginContext;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The kit's own test plugin: a function for each thing a test of the kit needs to see. Uses only
 * the plugin API and the JDK, so it runs in a child JVM too. Its fields let an in-process test see
 * what happened inside; in a child JVM, {@code cancelsSeen} and {@code stops} say the same.
 */
public final class ToolboxPlugin implements Plugin {
  /** How many messages the test's pipe window holds: the runner's and the host's. */
  static final int WINDOW = 4;

  final CountDownLatch cancelListenerRan = new CountDownLatch(1);
  final CountDownLatch pipeSawCancel = new CountDownLatch(1);
  final CountDownLatch floodBeyondWindow = new CountDownLatch(1);
  final CountDownLatch releaseStuck = new CountDownLatch(1);
  final CountDownLatch releaseIo = new CountDownLatch(1);
  final CountDownLatch meeting = new CountDownLatch(2);
  final AtomicInteger floodSent = new AtomicInteger();
  final AtomicInteger cancelsSeen = new AtomicInteger();
  final AtomicInteger stops = new AtomicInteger();
  volatile PluginContext context;

  @Override
  public void start(PluginContext context) {
    this.context = context;
    if (context.config().containsKey("failStart")) {
      throw new IllegalStateException("asked to fail: " + context.config().get("failStart"));
    }
    String suffix = context.config().getOrDefault("suffix", "");
    context.registerText("upper", (call, input) -> input.toUpperCase(Locale.ROOT) + suffix);
    context.register("echo", (call, input) -> input);
    context.register("nothing", (call, input) -> null);
    context.registerText("length", (call, input) -> Integer.toString(input.length()));
    context.registerText("fail", (call, input) -> {
      throw new IllegalStateException(input);
    });
    context.registerText("reject", (call, input) -> {
      throw new IllegalArgumentException("cannot take '" + input + "'");
    });
    context.registerText("metadata", (call, key) -> call.metadata().getOrDefault(key, "(none)"));
    context.registerText("function", (call, input) -> call.function());
    context.registerText("remainingMillis", (call, input) -> Long.toString(call.remaining().toMillis()));
    context.registerText("thread", (call, input) -> Thread.currentThread().getName());
    context.registerText("inlineThread", (call, input) -> Thread.currentThread().getName(), FunctionOption.NON_BLOCKING);
    // NON_BLOCKING, so it runs on the runner's I/O thread, and uses the host service its input names.
    context.registerText("nonBlockingUses", (call, service) -> use(context, service), FunctionOption.NON_BLOCKING);
    // NON_BLOCKING, and blocks all the same until the test releases it (at most 30 s).
    context.registerText(
        "blockIo", (call, input) -> releaseIo.await(30, TimeUnit.SECONDS) ? "released" : "gave up", FunctionOption.NON_BLOCKING);
    context.registerText(
        "contextLoaderIsMine",
        (call, input) -> Boolean.toString(Thread.currentThread().getContextClassLoader() == ToolboxPlugin.class.getClassLoader()));
    // Waits (at most 30 s) until the call is cancelled, which its listener says.
    context.registerText(
        "waitForCancel",
        (call, input) -> {
          call.onCancel(() -> {
            cancelsSeen.incrementAndGet();
            cancelListenerRan.countDown();
          });
          boolean heard = cancelListenerRan.await(30, TimeUnit.SECONDS);
          return heard && call.isCancelled() ? "cancelled" : "never cancelled";
        });
    // How many cancellations the listeners heard, once they heard one (waiting at most 10 s).
    context.registerText("awaitCancelsSeen", (call, input) -> {
      cancelListenerRan.await(10, TimeUnit.SECONDS);
      return Integer.toString(cancelsSeen.get());
    });
    // Ignores cancellation and interrupts until the test releases it (at most 30 s).
    context.registerText(
        "stuck",
        (call, input) -> {
          long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (System.nanoTime() < until) {
            try {
              if (releaseStuck.await(until - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                return "released";
              }
            } catch (InterruptedException ignored) {
              // A hung function ignores interrupts too.
            }
          }
          return "gave up";
        });
    // Waits (at most 10 s) until a second call is inside it at the same time.
    context.registerText("meet", (call, input) -> {
      meeting.countDown();
      return meeting.await(10, TimeUnit.SECONDS) ? "met" : "alone";
    });
    context.registerText("remember", (call, input) -> {
      context.store().putText("last", input);
      return "ok";
    });
    context.registerText("recall", (call, key) -> context.store().getText(key).orElse("(absent)"));
    context.registerText("log", (call, input) -> {
      context.log().info("called", Map.of("input", input));
      return "ok";
    });
    context.registerText("charge", (call, input) -> context.service("billing").callText("charge", input, Duration.ofSeconds(10)));
    // Calls this plugin's own metadata function, which says who called it (needs the grant call:ID).
    context.registerText(
        "callMyself",
        (call, input) -> context.plugins().callText(context.pluginId(), "metadata", PluginApi.CALLER_METADATA, Duration.ofSeconds(10)));
    context.registerText("squareElsewhere", (call, input) -> context.plugins().callText("squares", "square", input, Duration.ofSeconds(10)));
    context.registerStreaming(
        "shout",
        (call, pipe) -> {
          String message;
          while ((message = pipe.receiveText()) != null) {
            pipe.sendText(message.toUpperCase(Locale.ROOT));
          }
        });
    // Sends as many messages as the first message says, counting those the test's window took.
    context.registerStreaming(
        "flood",
        (call, pipe) -> {
          int count = Integer.parseInt(pipe.receiveText());
          for (int i = 0; i < count; i++) {
            if (i == WINDOW) {
              floodBeyondWindow.countDown();
            }
            pipe.sendText(Integer.toString(i));
            floodSent.incrementAndGet();
          }
        });
    context.registerStreaming(
        "sendThenFail",
        (call, pipe) -> {
          pipe.sendText("first");
          throw new IllegalStateException("failed after the first message");
        });
    // Says it has started, then waits (at most 30 s) until the call is cancelled.
    context.registerStreaming(
        "startThenWaitForCancel",
        (call, pipe) -> {
          call.onCancel(() -> {
            cancelsSeen.incrementAndGet();
            cancelListenerRan.countDown();
          });
          pipe.sendText("started");
          cancelListenerRan.await(30, TimeUnit.SECONDS);
        });
    // Waits for a message that never comes, until the call is cancelled.
    context.registerStreaming(
        "waitOnPipe",
        (call, pipe) -> {
          try {
            pipe.receive();
          } catch (CallCancelledException e) {
            pipeSawCancel.countDown();
            throw e;
          }
        });
  }

  private static String use(PluginContext context, String service) throws InterruptedException {
    switch (service) {
      case "kv" -> context.store().getText("k");
      case "locks" -> context.locks().tryAcquire("l").ifPresent(lock -> lock.close());
      case "call" -> context.plugins().callText("squares", "square", "2", Duration.ofSeconds(10));
      case "service" -> context.service("billing").callText("charge", "1", Duration.ofSeconds(10));
      case "log" -> context.log().info("from the I/O thread");
      default -> throw new IllegalArgumentException("no host service '" + service + "'");
    }
    return "used " + service;
  }

  @Override
  public void stop() {
    stops.incrementAndGet();
    if (context != null && context.config().containsKey("failStop")) {
      throw new IllegalStateException("asked to fail the stop");
    }
  }
}
