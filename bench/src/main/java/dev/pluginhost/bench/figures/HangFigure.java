package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hang detection: a call to the {@code hanger} sample's {@code spin} (a handler that spins on the
 * CPU and ignores cancellation) with a short call time limit, timed from the call to the caller's
 * typed error, and on to the next successful call ({@code ping}), which a new process serves.
 */
public final class HangFigure implements Figure {
  static final Duration LIMIT = Duration.ofMillis(200);
  private static final Duration RESTART_DELAY = Duration.ofMillis(1);

  @Override
  public String id() {
    return "hang";
  }

  @Override
  public String title() {
    return "hang detection: a spinning call (hanger's spin) to its typed error and to the next answer, call limit "
        + LIMIT.toMillis() + " ms";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int warmup = 1;
    int rounds = context.pick(10, 3);
    Samples toError = new Samples("call start to the caller's error");
    Samples beyond = new Samples("  beyond the " + LIMIT.toMillis() + " ms limit");
    Samples toAnswer = new Samples("call start to the next answer (restarted)");
    Samples errorToAnswer = new Samples("  error to the next answer");
    Map<String, Integer> errors = new TreeMap<>();
    Map<String, Integer> retried = new TreeMap<>();
    AtomicInteger answeredByHung = new AtomicInteger();
    PluginSettings settings =
        BenchSettings.builder()
            .processes(1)
            .callTimeLimit(LIMIT)
            .restartBackoff(RESTART_DELAY, RESTART_DELAY)
            .restartBackoffShape(1.0, 0.0)
            .restartIntensity(10_000, Duration.ofMinutes(1))
            .build();
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "hanger")).defaults(settings).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle hanger = context.watch(host.plugin("hanger"));
      context.progress().printf("  %d warm-up round, %d measured%n", warmup, rounds);
      for (int round = 0; round < warmup + rounds; round++) {
        PluginWaits.settle(hanger, 1, 0, context.ledger(), PluginWaits.QUIET);
        for (int i = 0; i < 200; i++) {
          hanger.callText("ping", "", Duration.ofSeconds(10));
        }
        Thread.sleep(PluginWaits.QUIET.toMillis());
        long hungPid = hanger.pid().orElseThrow();
        boolean counted = round >= warmup;
        long start = System.nanoTime();
        long errorAt;
        try {
          String answer = hanger.callText("spin", "", Duration.ofSeconds(30));
          throw new IllegalStateException("spin answered '" + answer + "'");
        } catch (PluginCallException e) {
          errorAt = System.nanoTime();
          if (counted) {
            errors.merge(e.code() + ": " + e.getMessage().replaceAll("\\d+", "N"), 1, Integer::sum);
          }
        }
        // A call made straight after the error may still reach the hung process, which is being
        // killed but still answers on its other threads: only an answer once another process
        // serves counts.
        while (true) {
          try {
            hanger.callText("ping", "", Duration.ofSeconds(30));
            if (hanger.pid().orElse(hungPid) != hungPid) {
              break;
            }
            if (counted) {
              answeredByHung.incrementAndGet();
            }
          } catch (PluginCallException e) {
            if (counted) {
              retried.merge(e.code() + ": " + e.getMessage().replaceAll("\\d+", "N"), 1, Integer::sum);
            }
          }
          if (System.nanoTime() - start > Duration.ofSeconds(60).toNanos()) {
            throw new IllegalStateException("no other process served hanger within 60 s of the hang");
          }
        }
        long answeredAt = System.nanoTime();
        if (counted) {
          toError.add((errorAt - start) / 1e6);
          beyond.add((errorAt - start) / 1e6 - LIMIT.toMillis());
          toAnswer.add((answeredAt - start) / 1e6);
          errorToAnswer.add((answeredAt - errorAt) / 1e6);
        }
      }
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "hanger, processes(1), callTimeLimit(" + LIMIT.toMillis() + " ms), probe interval default");
    used.put("restart delay", RESTART_DELAY.toMillis() + " ms, never growing (host default: 100 ms, doubling)");
    used.put("call", "callText(\"spin\") with a 30 s timeout, then callText(\"ping\") until one is answered"
        + " with the plugin's pid changed (another process serving)");
    used.put("rounds", rounds + " after " + warmup + " warm-up; 200 pings and a quiet pause before each");
    List<String> notes = new ArrayList<>();
    if (answeredByHung.get() > 0) {
      notes.add(answeredByHung.get() + " pings made after the spin call's error were answered by the hung process,"
          + " which the host had condemned but still routed calls to");
    }
    errors.forEach((error, count) -> notes.add(count + " x the spin call failed with " + error));
    retried.forEach((error, count) -> notes.add(count + " x a ping after the error failed and was called again: " + error));
    return new FigureResult(
        id(),
        title(),
        List.of(
            new Measure(toError, "ms"),
            new Measure(beyond, "ms"),
            new Measure(toAnswer, "ms"),
            new Measure(errorToAnswer, "ms")),
        used,
        notes);
  }
}
