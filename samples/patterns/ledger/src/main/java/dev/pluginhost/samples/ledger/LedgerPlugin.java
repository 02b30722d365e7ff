package dev.pluginhost.samples.ledger;

import dev.pluginhost.plugin.api.KeyValueStore;
import dev.pluginhost.plugin.api.Locks.HeldLock;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The host services a pool of worker processes shares, used the way multiprocessing users share a
 * {@code Manager} dict, a {@code Lock} and a logging queue. Each needs its grant in the plugin's
 * settings; without it, the call fails with PERMISSION_DENIED naming the grant.
 */
public final class LedgerPlugin implements Plugin {
  /** The lock every process of the pool takes around its critical section. */
  static final String SECTION = "section";

  @Override
  public void start(PluginContext context) {
    // Inside the sandbox every plugin JVM is pid 2 of its own namespace: a random tag tells a
    // pool's processes apart.
    String process = ProcessHandle.current().pid() + "-" + Long.toHexString(new SecureRandom().nextLong());

    // "kv": a visit counter per key, kept by the host, so it survives this process's death.
    // compareAndSet makes the increment safe with every process of the pool doing the same.
    context.registerText("visit", (call, key) -> Long.toString(increment(context.store(), "visits/" + key)));
    context.registerText("visits", (call, key) -> context.store().getText("visits/" + key).orElse("0"));

    // "locks": at most one process of the pool inside at a time. Input: how long to stay, in ms.
    // The marker in the store shows an overlap if the lock ever failed to exclude.
    context.registerText(
        "critical",
        (call, input) -> {
          try (HeldLock lock = context.locks().acquire(SECTION, Duration.ofSeconds(20))) {
            boolean alone = context.store().compareAndSet("inside", null, utf8(process));
            Thread.sleep(Long.parseLong(input.trim()));
            context.store().delete("inside");
            return (alone ? "alone@" : "overlap@") + process;
          }
        });
    // Takes the lock and dies holding it: the host hands the lock to the next waiter.
    context.registerText(
        "holdAndDie",
        (call, input) -> {
          context.locks().acquire(SECTION, Duration.ofSeconds(20));
          System.err.println("ledger: dying while holding lock '" + SECTION + "'");
          Runtime.getRuntime().halt(7);
          return "unreachable";
        });
    context.registerText(
        "tryLock",
        (call, input) -> context.locks().tryAcquire(SECTION).map(lock -> {
          lock.close();
          return "free";
        }).orElse("held"));

    // "log": a structured record; input "message|name=value,name=value".
    context.registerText(
        "note",
        (call, input) -> {
          String[] parts = input.split("\\|", 2);
          Map<String, String> fields = new LinkedHashMap<>();
          if (parts.length > 1) {
            for (String pair : parts[1].split(",")) {
              String[] nameValue = pair.split("=", 2);
              fields.put(nameValue[0], nameValue.length > 1 ? nameValue[1] : "");
            }
          }
          fields.put("process", process);
          context.log().info(parts[0], fields);
          return "logged";
        });

    // "service:pricing": a service of the embedding application, asked for a quote.
    context.registerText(
        "quote",
        (call, item) -> context.service("pricing").callText("quote", item, call.remaining()));
  }

  private static long increment(KeyValueStore store, String key) {
    while (true) {
      byte[] before = store.get(key).orElse(null);
      long next = (before == null ? 0 : Long.parseLong(new String(before, StandardCharsets.UTF_8))) + 1;
      if (store.compareAndSet(key, before, utf8(Long.toString(next)))) {
        return next;
      }
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
