package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pluginhost.bench.Samples;
import dev.pluginhost.testkit.InProcessPlugin;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uses the squares sample as built by this reactor (the bench module builds after the samples). */
class InProcessCallBaselineTest {
  static final Path SQUARES = Path.of("..", "samples", "target", "plugins", "squares.jar").toAbsolutePath().normalize();

  @BeforeAll
  static void samplesAreBuilt() {
    assumeTrue(Files.isRegularFile(SQUARES), "build the samples first: no " + SQUARES);
  }

  @Test
  void square_calledDirectlyThroughTheTestKit_answersLikeThePlugin() throws Exception {
    try (InProcessPlugin plugin = InProcessPlugin.builder(SQUARES).start()) {
      byte[] answer = plugin.function("square").apply(new FixedCallContext("square"), "7".getBytes(StandardCharsets.UTF_8));

      assertEquals("squares", plugin.id());
      assertTrue(new String(answer, StandardCharsets.UTF_8).startsWith("49@"));
    }
  }

  @Test
  void baseline_withTinyOptions_givesBothFigures() throws Exception {
    BaselineResult result =
        new InProcessCallBaseline(SQUARES, new InProcessCallBaseline.Options(10, 100, 2, Duration.ofMillis(5))).run();

    assertEquals(BaselineResult.Status.MEASURED, result.status(), result.reason());
    Samples calls = result.figure("in-process.call").orElseThrow().samples();
    assertEquals(100, calls.count());
    assertEquals(2, result.figure("in-process.rate").orElseThrow().count());
  }

  @Test
  void baseline_withoutTheSample_isUnavailable() throws Exception {
    BaselineResult result = new InProcessCallBaseline(Path.of("/nonexistent/squares.jar"), InProcessCallBaseline.Options.defaults()).run();

    assertEquals(BaselineResult.Status.UNAVAILABLE, result.status());
    assertTrue(result.reason().contains("/nonexistent/squares.jar"), result.reason());
  }
}
