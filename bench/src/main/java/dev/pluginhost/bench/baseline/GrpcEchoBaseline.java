package dev.pluginhost.bench.baseline;

import static com.google.common.base.Preconditions.checkArgument;

import dev.pluginhost.bench.Samples;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The transport floor: a bare gRPC echo between this JVM and a child JVM started with a plugin
 * JVM's flags ({@link EchoServerProcess}), over a Unix socket, on the same gRPC stack as the host
 * and the runner. No plugin, no token, no host logic: what is left of a host's call once those are
 * taken away.
 *
 * <p>Figures, with {@code <e>} the {@linkplain ExecutorChoice#label() executor label}:
 *
 * <ul>
 *   <li>{@code grpc.<e>.round-trip}: one blocking unary call of a small payload ({@code "7"}),
 *       one caller, one sample per call;
 *   <li>{@code grpc.<e>.in-flight}: calls/s with {@link Options#inFlight()} async calls kept
 *       outstanding, one sample per window;
 *   <li>{@code grpc.<e>.bulk-unary}: MB/s of payload, one way, echoing 1 MiB messages one at a
 *       time; one sample per call (each call moves its payload both ways);
 *   <li>{@code grpc.<e>.bulk-stream}: MB/s streaming 64 KiB messages one way on one call, the
 *       server acknowledging the total; one sample per repeat.
 * </ul>
 *
 * <p>Every answer is checked: an echo must equal its request, a stream's acknowledged total its
 * sent total; a mismatch fails the run. The child is ended when the run ends, however it ends.
 */
public final class GrpcEchoBaseline implements Baseline {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(60);

  /**
   * How much to measure.
   *
   * @param warmupCalls small round trips made first and not timed
   * @param timedCalls small round trips timed one by one
   * @param inFlight async calls kept outstanding for the calls/s figure
   * @param inFlightWarmup how long to run at that load before counting
   * @param inFlightWindows windows counted, each one sample of calls/s
   * @param inFlightWindow the length of each window
   * @param bulkMessageBytes the unary bulk message, at most 4 MiB (gRPC's default inbound limit)
   * @param bulkWarmupCalls bulk echoes made first and not timed
   * @param bulkCalls bulk echoes timed one by one
   * @param streamChunkBytes the size of each streamed message
   * @param streamTotalBytes how much each streaming repeat sends
   * @param streamRepeats streaming repeats timed, after one untimed repeat of a quarter the size
   */
  public record Options(
      int warmupCalls,
      int timedCalls,
      int inFlight,
      Duration inFlightWarmup,
      int inFlightWindows,
      Duration inFlightWindow,
      int bulkMessageBytes,
      int bulkWarmupCalls,
      int bulkCalls,
      int streamChunkBytes,
      long streamTotalBytes,
      int streamRepeats) {
    public Options {
      checkArgument(warmupCalls >= 0 && bulkWarmupCalls >= 0, "warm-up counts must not be negative");
      checkArgument(timedCalls > 0 && inFlight > 0 && inFlightWindows > 0 && bulkCalls > 0 && streamRepeats > 0, "counts must be positive");
      checkArgument(bulkMessageBytes > 0 && bulkMessageBytes <= 4 * 1024 * 1024, "bulkMessageBytes must be 1 to 4 MiB");
      checkArgument(streamChunkBytes > 0 && streamTotalBytes >= streamChunkBytes, "stream sizes must be positive");
    }

    public static Options defaults() {
      return new Options(
          5_000, 20_000, 64, Duration.ofSeconds(1), 3, Duration.ofSeconds(1), 1 << 20, 30, 200, 64 << 10, 256L << 20, 3);
    }
  }

  /** The small payload: the host benchmark's input. */
  static final byte[] SMALL = "7".getBytes(StandardCharsets.UTF_8);

  private final String classpath;
  private final ExecutorChoice executors;
  private final Options options;

  /**
   * @param classpath the child JVM's class path: this JVM's own ({@code java.class.path}) when it
   *     holds the bench, as the shaded jar does
   */
  public GrpcEchoBaseline(String classpath, ExecutorChoice executors, Options options) {
    this.classpath = classpath;
    this.executors = executors;
    this.options = options;
  }

  @Override
  public String name() {
    return "grpc-" + executors.label();
  }

  @Override
  public String description() {
    return "bare gRPC echo to a child JVM over a Unix socket, " + executors.label() + " executors on both sides";
  }

  @Override
  public BaselineResult run() throws Exception {
    String e = executors.label();
    try (EchoServerProcess server = EchoServerProcess.start(classpath, executors, READY_TIMEOUT);
        EchoClient client = EchoClient.connect(server.socket(), executors)) {
      Samples roundTrip = roundTrip(client);
      Samples inFlight = inFlight(client);
      Samples bulkUnary = bulkUnary(client);
      Samples bulkStream = bulkStream(client);
      if (!server.isAlive()) {
        throw new IllegalStateException("the echo server died during the run");
      }
      String what = "gRPC " + e;
      return BaselineResult.measured(
          name(),
          description(),
          List.of(
              Figure.perEvent("grpc." + e + ".round-trip", what + ", round trip of " + SMALL.length + " byte", roundTrip),
              Figure.perRepeat("grpc." + e + ".in-flight", what + ", " + options.inFlight() + " calls in flight", inFlight, Unit.CALLS_PER_SECOND),
              Figure.perRepeat("grpc." + e + ".bulk-unary", what + ", unary echo of " + size(options.bulkMessageBytes()), bulkUnary, Unit.MEGABYTES_PER_SECOND),
              Figure.perRepeat(
                  "grpc." + e + ".bulk-stream",
                  what + ", stream of " + size(options.streamChunkBytes()) + " messages",
                  bulkStream,
                  Unit.MEGABYTES_PER_SECOND)),
          List.of(
              String.format(
                  Locale.ROOT,
                  "%s: the echo server's JVM took %d ms from start to serving (plugin JVM flags, no class-data"
                      + " archive); %,d warm-up calls; the stream sends %s per repeat",
                  name(),
                  server.startTime().toMillis(),
                  options.warmupCalls(),
                  size(options.streamTotalBytes()))));
    }
  }

  private Samples roundTrip(EchoClient client) {
    for (int i = 0; i < options.warmupCalls(); i++) {
      check(client.echo(SMALL), SMALL);
    }
    Samples samples = new Samples("round trip");
    for (int i = 0; i < options.timedCalls(); i++) {
      long start = System.nanoTime();
      byte[] answer = client.echo(SMALL);
      long end = System.nanoTime();
      check(answer, SMALL);
      samples.add(end - start);
    }
    return samples;
  }

  /**
   * Keeps {@code inFlight} calls outstanding from this thread; counts answers per window. The
   * first failure or wrong answer stops the run.
   */
  private Samples inFlight(EchoClient client) throws InterruptedException {
    Semaphore slots = new Semaphore(options.inFlight());
    AtomicLong answered = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    StreamObserver<byte[]> observer =
        new StreamObserver<>() {
          @Override
          public void onNext(byte[] answer) {
            if (!Arrays.equals(answer, SMALL)) {
              failure.compareAndSet(null, new IllegalStateException("an echo came back changed"));
            }
          }

          @Override
          public void onError(Throwable t) {
            failure.compareAndSet(null, t);
            slots.release();
          }

          @Override
          public void onCompleted() {
            answered.incrementAndGet();
            slots.release();
          }
        };
    Samples samples = new Samples("calls/s");
    long warmupEnd = System.nanoTime() + options.inFlightWarmup().toNanos();
    keepBusy(client, slots, observer, failure, warmupEnd);
    for (int w = 0; w < options.inFlightWindows(); w++) {
      long before = answered.get();
      long start = System.nanoTime();
      keepBusy(client, slots, observer, failure, start + options.inFlightWindow().toNanos());
      long end = System.nanoTime();
      samples.add((answered.get() - before) * 1e9 / (end - start));
    }
    // Let the calls still out finish before the next figure.
    if (!slots.tryAcquire(options.inFlight(), CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("calls in flight did not finish within " + CALL_TIMEOUT);
    }
    if (failure.get() != null) {
      throw new IllegalStateException("a call in flight failed: " + failure.get(), failure.get());
    }
    return samples;
  }

  private static void keepBusy(
      EchoClient client, Semaphore slots, StreamObserver<byte[]> observer, AtomicReference<Throwable> failure, long until)
      throws InterruptedException {
    while (System.nanoTime() < until) {
      if (failure.get() != null) {
        throw new IllegalStateException("a call in flight failed: " + failure.get(), failure.get());
      }
      if (slots.tryAcquire(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        client.echoAsync(SMALL, observer);
      } else {
        throw new IllegalStateException("no call in flight finished within " + CALL_TIMEOUT);
      }
    }
  }

  private Samples bulkUnary(EchoClient client) {
    byte[] payload = new byte[options.bulkMessageBytes()];
    new java.util.Random(1).nextBytes(payload);
    for (int i = 0; i < options.bulkWarmupCalls(); i++) {
      check(client.echo(payload), payload);
    }
    Samples samples = new Samples("MB/s");
    for (int i = 0; i < options.bulkCalls(); i++) {
      long start = System.nanoTime();
      byte[] answer = client.echo(payload);
      long end = System.nanoTime();
      check(answer, payload);
      samples.add(payload.length * 1e3 / (end - start));
    }
    return samples;
  }

  private Samples bulkStream(EchoClient client) throws Exception {
    byte[] chunk = new byte[options.streamChunkBytes()];
    new java.util.Random(2).nextBytes(chunk);
    long warmup = Math.max(chunk.length, options.streamTotalBytes() / 4);
    checkTotal(client.sink(chunk, warmup, CALL_TIMEOUT), warmup);
    Samples samples = new Samples("MB/s");
    for (int r = 0; r < options.streamRepeats(); r++) {
      long start = System.nanoTime();
      long total = client.sink(chunk, options.streamTotalBytes(), CALL_TIMEOUT);
      long end = System.nanoTime();
      checkTotal(total, options.streamTotalBytes());
      samples.add(total * 1e3 / (end - start));
    }
    return samples;
  }

  private static void check(byte[] answer, byte[] sent) {
    if (!Arrays.equals(answer, sent)) {
      throw new IllegalStateException("an echo of " + sent.length + " bytes came back as " + answer.length + " different bytes");
    }
  }

  private static void checkTotal(long acknowledged, long sent) {
    if (acknowledged != sent) {
      throw new IllegalStateException("streamed " + sent + " bytes but the server counted " + acknowledged);
    }
  }

  private static String size(long bytes) {
    if (bytes >= (1 << 20) && bytes % (1 << 20) == 0) {
      return (bytes >> 20) + " MiB";
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return (bytes >> 10) + " KiB";
    }
    return bytes + " B";
  }
}
