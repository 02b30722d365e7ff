package dev.pluginhost.it.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginHandle;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Calls {@code hello.echo} back to back from a thread of its own and records every failure,
 * like an application that keeps using a healthy plugin while its neighbour misbehaves.
 */
public final class SteadyCalls implements AutoCloseable {
  private final AtomicBoolean calling = new AtomicBoolean(true);
  private final AtomicInteger calls = new AtomicInteger();
  private final List<String> failures = new CopyOnWriteArrayList<>();
  private final Thread thread;

  /** Starts calling {@code hello.echo}. */
  public static SteadyCalls start(PluginHandle hello) {
    return new SteadyCalls(hello);
  }

  private SteadyCalls(PluginHandle hello) {
    thread =
        new Thread(
            () -> {
              byte[] payload = "steady".getBytes(StandardCharsets.UTF_8);
              while (calling.get()) {
                calls.incrementAndGet();
                try {
                  if (!Arrays.equals(payload, hello.call("echo", payload, Duration.ofSeconds(5)))) {
                    failures.add("wrong reply");
                  }
                } catch (RuntimeException e) {
                  failures.add(e.getMessage());
                }
              }
            },
            "steady-caller");
    thread.setDaemon(true);
    thread.start();
  }

  /** Calls made so far. */
  public int calls() {
    return calls.get();
  }

  /** What the failed calls said, in order. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /** Stops the calls and asserts there were some and none failed. */
  public void assertNoneFailed() throws InterruptedException {
    stop();
    assertTrue(calls.get() > 0, "the steady caller made no calls");
    assertEquals(List.of(), failures, "hello's failed calls out of " + calls.get());
  }

  /** Stops the calls and waits for the calling thread to end. */
  public void stop() throws InterruptedException {
    calling.set(false);
    thread.join(Duration.ofSeconds(10).toMillis());
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }
}
