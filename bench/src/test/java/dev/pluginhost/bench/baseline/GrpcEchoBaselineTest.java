package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcEchoBaselineTest {
  @Test
  void run_withTinyOptions_givesEveryFigureWithTheCountsAskedFor() throws Exception {
    GrpcEchoBaseline.Options tiny =
        new GrpcEchoBaseline.Options(
            10, 50, 4, Duration.ofMillis(20), 2, Duration.ofMillis(20), 4096, 1, 3, 1024, 8192, 2);

    BaselineResult result = new GrpcEchoBaseline(System.getProperty("java.class.path"), ExecutorChoice.DIRECT, tiny).run();

    assertEquals(BaselineResult.Status.MEASURED, result.status(), result.reason());
    assertEquals("grpc-direct", result.baseline());
    assertEquals(
        List.of("grpc.direct.round-trip", "grpc.direct.in-flight", "grpc.direct.bulk-unary", "grpc.direct.bulk-stream"),
        result.figures().stream().map(Figure::id).toList());
    assertEquals(50, result.figure("grpc.direct.round-trip").orElseThrow().count());
    assertEquals(2, result.figure("grpc.direct.in-flight").orElseThrow().count());
    assertEquals(3, result.figure("grpc.direct.bulk-unary").orElseThrow().count());
    assertEquals(2, result.figure("grpc.direct.bulk-stream").orElseThrow().count());
  }
}
