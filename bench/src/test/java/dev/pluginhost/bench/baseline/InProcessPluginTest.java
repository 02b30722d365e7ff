package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pluginhost.bench.Samples;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Uses the squares sample as built by this reactor (the bench module builds after the samples). */
class InProcessPluginTest {
  static final Path SQUARES = Path.of("..", "samples", "target", "plugins", "squares.jar").toAbsolutePath().normalize();

  @BeforeAll
  static void samplesAreBuilt() {
    assumeTrue(Files.isRegularFile(SQUARES), "build the samples first: no " + SQUARES);
  }

  @Test
  void square_calledDirectly_answersLikeThePlugin() throws Exception {
    try (InProcessPlugin plugin = InProcessPlugin.start(List.of(SQUARES))) {
      byte[] answer = plugin.function("square").apply(new FixedCallContext("square"), "7".getBytes(StandardCharsets.UTF_8));

      assertEquals("squares", plugin.pluginId());
      assertTrue(new String(answer, StandardCharsets.UTF_8).startsWith("49@"));
      assertTrue(plugin.functionNames().containsAll(List.of("square", "slowSquare", "served")), plugin.functionNames().toString());
    }
  }

  @Test
  void function_thatWasNotRegistered_throwsNamingTheOnesThatWere() throws Exception {
    try (InProcessPlugin plugin = InProcessPlugin.start(List.of(SQUARES))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plugin.function("cube"));

      assertTrue(e.getMessage().contains("square"), e.getMessage());
    }
  }

  @Test
  void start_withAJarThatIsNotThere_failsNamingIt() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> InProcessPlugin.start(List.of(Path.of("/nonexistent/p.jar"))));

    assertTrue(e.getMessage().contains("/nonexistent/p.jar"), e.getMessage());
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
