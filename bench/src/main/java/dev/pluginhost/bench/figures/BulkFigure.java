package dev.pluginhost.bench.figures;

import dev.pluginhost.bench.BenchSettings;
import dev.pluginhost.bench.PluginWaits;
import dev.pluginhost.bench.Samples;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginSettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Bulk payload: 1 MiB messages through a unary call (the {@code hello} sample's {@code echo}, one
 * call at a time, so each MiB travels there and back), and a one-way stream of 64 KiB messages
 * through a pipe into {@code hello}'s {@code count}, which answers with the bytes it received.
 * Rates count the payload once (MiB sent by the caller), per call and per stream.
 */
public final class BulkFigure implements Figure {
  static final int MESSAGE = 1 << 20;
  static final int CHUNK = 64 << 10;
  static final int MAX_MESSAGE_BYTES = 4 << 20;

  @Override
  public String id() {
    return "bulk";
  }

  @Override
  public String title() {
    return "bulk payload: 1 MiB unary echo, and a one-way stream of 64 KiB messages (hello sample)";
  }

  @Override
  public FigureResult run(FigureContext context) throws Exception {
    int warmupCalls = context.pick(30, 10);
    int calls = context.pick(100, 30);
    long streamBytes = context.pick(256, 64) * (long) (1 << 20);
    int streams = context.pick(3, 1);
    Samples unaryRate = new Samples("unary echo, 1 MiB each way");
    Samples unaryTime = new Samples("  its round trip");
    Samples streamRate = new Samples("pipe, one way, " + (streamBytes >> 20) + " MiB in 64 KiB messages");
    PluginSettings settings = BenchSettings.builder().processes(1).maxMessageBytes(MAX_MESSAGE_BYTES).build();
    try (PluginHost host =
        context.hostBuilder(id(), context.pluginsDirectory(id(), "hello")).defaults(settings).build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      PluginHandle hello = context.watch(host.plugin("hello"));
      PluginWaits.settle(hello, 1, 0, context.ledger(), PluginWaits.QUIET);
      byte[] payload = new byte[MESSAGE];
      ThreadLocalRandom.current().nextBytes(payload);
      context.progress().printf("  unary: %d warm-up calls, %d measured%n", warmupCalls, calls);
      for (int i = 0; i < warmupCalls + calls; i++) {
        long start = System.nanoTime();
        byte[] back = hello.call("echo", payload, Duration.ofSeconds(30));
        long took = System.nanoTime() - start;
        if (!Arrays.equals(payload, back)) {
          throw new IllegalStateException("echo returned " + back.length + " other bytes");
        }
        if (i >= warmupCalls) {
          unaryRate.add(MESSAGE / (double) (1 << 20) / (took / 1e9));
          unaryTime.add(took / 1e6);
        }
      }
      context.progress().printf("  pipe: one warm-up stream of %d MiB, %d measured%n", streamBytes >> 22, streams);
      byte[] chunk = Arrays.copyOf(payload, CHUNK);
      stream(hello, chunk, streamBytes / 4);
      for (int i = 0; i < streams; i++) {
        streamRate.add(stream(hello, chunk, streamBytes));
      }
    }
    Map<String, String> used = new LinkedHashMap<>();
    used.put("plugin", "hello, processes(1), maxMessageBytes(" + (MAX_MESSAGE_BYTES >> 20) + " MiB)");
    used.put("unary", "call(\"echo\", 1 MiB of random bytes), one at a time, checked; " + warmupCalls + " warm-up, " + calls
        + " measured; rate = 1 MiB / round trip");
    used.put("pipe", "openPipe(\"count\"), send 64 KiB messages, closeSend, receive the count; " + streams
        + " streams of " + (streamBytes >> 20) + " MiB after a warm-up; rate = MiB / (open to count)");
    used.put("MiB", "1,048,576 bytes");
    return new FigureResult(
        id(),
        title(),
        List.of(new Measure(unaryRate, "MiB/s"), new Measure(unaryTime, "ms"), new Measure(streamRate, "MiB/s")),
        used,
        List.of());
  }

  /** Streams {@code total} bytes in {@code chunk}s to {@code count}; returns MiB per second. */
  static double stream(PluginHandle hello, byte[] chunk, long total) {
    long start = System.nanoTime();
    String counted;
    try (PluginPipe pipe = hello.openPipe("count", Duration.ofMinutes(2))) {
      for (long sent = 0; sent < total; sent += chunk.length) {
        pipe.send(chunk);
      }
      pipe.closeSend();
      counted = new String(pipe.receive(), StandardCharsets.UTF_8);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    if (Long.parseLong(counted) != total) {
      throw new IllegalStateException("sent " + total + " bytes, count answered " + counted);
    }
    return total / (double) (1 << 20) / seconds;
  }
}
