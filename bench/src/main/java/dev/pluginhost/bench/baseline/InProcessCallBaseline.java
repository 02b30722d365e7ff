package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;

import dev.pluginhost.bench.Samples;
import dev.pluginhost.plugin.api.CallContext;
import dev.pluginhost.plugin.api.UnaryFunction;
import dev.pluginhost.testkit.InProcessPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The same function the host benchmark calls, {@code square("7")} of the {@code squares} sample,
 * called directly in this JVM: no process, no socket, no serialization but the UTF-8 the runner
 * also does. What isolation costs is the host's figure minus this one.
 *
 * <p>Figures: {@code in-process.call}, the time of one call after warm-up (each call timed on its
 * own, so the timer's cost, given in a note, is included); {@code in-process.rate}, calls per
 * second on one thread, one sample per window.
 */
public final class InProcessCallBaseline implements Baseline {
  public static final String NAME = "in-process";
  public static final String FUNCTION = "square";
  /** The host benchmark's input. */
  static final byte[] INPUT = "7".getBytes(StandardCharsets.UTF_8);

  /**
   * How much to measure.
   *
   * @param warmupCalls calls made first and not timed, so the JIT has compiled the path
   * @param timedCalls calls timed one by one
   * @param rateWindows windows of back-to-back calls, each one sample of calls/s
   * @param rateWindow the length of each window
   */
  public record Options(int warmupCalls, int timedCalls, int rateWindows, Duration rateWindow) {
    public Options {
      checkArgument(warmupCalls >= 0 && timedCalls > 0 && rateWindows > 0, "counts must be positive");
      checkArgument(!rateWindow.isNegative() && !rateWindow.isZero(), "rateWindow must be positive");
    }

    public static Options defaults() {
      return new Options(300_000, 100_000, 5, Duration.ofMillis(400));
    }
  }

  private static volatile int sink;

  private final Path squaresJar;
  private final Options options;

  /** @param squaresJar the built {@code squares} sample, {@code samples/target/plugins/squares.jar} */
  public InProcessCallBaseline(Path squaresJar, Options options) {
    this.squaresJar = squaresJar;
    this.options = options;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String description() {
    return "square(\"7\") of the squares sample called directly in this JVM (no isolation)";
  }

  @Override
  public BaselineResult run() throws Exception {
    if (!Files.isRegularFile(squaresJar)) {
      return BaselineResult.unavailable(NAME, description(), "no " + squaresJar + "; build the samples first");
    }
    // Loaded from its jar as the runner loads it (a class loader of its own, seeing only the plugin
    // API) and started by the test kit; then its function is called directly, with no call thread.
    try (InProcessPlugin plugin = InProcessPlugin.builder(squaresJar).start()) {
      UnaryFunction square = plugin.function(FUNCTION);
      CallContext call = new FixedCallContext(FUNCTION);
      String answer = new String(square.apply(call, INPUT), StandardCharsets.UTF_8);
      if (!answer.startsWith("49@")) {
        throw new IllegalStateException("square(\"7\") answered '" + answer + "', expected 49@<process>");
      }
      int checksum = 0;
      for (int i = 0; i < options.warmupCalls(); i++) {
        checksum += square.apply(call, INPUT).length;
      }
      Samples perCall = new Samples("one call");
      for (int i = 0; i < options.timedCalls(); i++) {
        long start = System.nanoTime();
        byte[] result = square.apply(call, INPUT);
        long end = System.nanoTime();
        checksum += result.length;
        perCall.add(end - start);
      }
      Samples rate = new Samples("calls/s");
      long windowNanos = options.rateWindow().toNanos();
      for (int w = 0; w < options.rateWindows(); w++) {
        long start = System.nanoTime();
        long deadline = start + windowNanos;
        long calls = 0;
        long now;
        do {
          // Check the clock every 256 calls, so the timer costs next to nothing here.
          for (int i = 0; i < 256; i++) {
            checksum += square.apply(call, INPUT).length;
          }
          calls += 256;
          now = System.nanoTime();
        } while (now < deadline);
        rate.add(calls * 1e9 / (now - start));
      }
      sink = checksum;
      return BaselineResult.measured(
          NAME,
          description(),
          List.of(
              Figure.perEvent("in-process.call", "in-process square(\"7\"), one call", perCall),
              Figure.perRepeat("in-process.rate", "in-process square(\"7\"), one thread", rate, Unit.CALLS_PER_SECOND)),
          List.of(
              String.format(
                  Locale.ROOT,
                  "in-process: %,d warm-up calls; one call timed alone includes the timer, whose own cost (two"
                      + " System.nanoTime() back to back) has median %.0f ns",
                  options.warmupCalls(),
                  timerCost())));
    }
  }

  private static double timerCost() {
    Samples cost = new Samples("timer");
    for (int i = 0; i < 10_000; i++) {
      long start = System.nanoTime();
      cost.add(System.nanoTime() - start);
    }
    return cost.median();
  }
}
