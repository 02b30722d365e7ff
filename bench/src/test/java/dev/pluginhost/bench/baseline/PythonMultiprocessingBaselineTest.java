package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PythonMultiprocessingBaselineTest {
  private static final PythonMultiprocessingBaseline.Options TINY =
      new PythonMultiprocessingBaseline.Options(1, 2, 20, 200, 1, Duration.ofSeconds(60));

  @Test
  void run_withAPythonThatIsNotThere_isUnavailableSayingSo() throws Exception {
    BaselineResult result = new PythonMultiprocessingBaseline("/nonexistent/python3", TINY).run();

    assertEquals(BaselineResult.Status.UNAVAILABLE, result.status());
    assertTrue(result.reason().contains("/nonexistent/python3"), result.reason());
  }

  @Test
  void run_withPython3_givesEveryFigure() throws Exception {
    assumeTrue(onPath("python3"), "python3 is not on PATH");

    BaselineResult result = new PythonMultiprocessingBaseline("python3", TINY).run();

    assertEquals(BaselineResult.Status.MEASURED, result.status(), result.reason());
    assertEquals(
        List.of("python.spawn-process", "python.pool-apply", "python.map-chunksize-1", "python.map-default"),
        result.figures().stream().map(Figure::id).toList());
    assertEquals(20, result.figure("python.pool-apply").orElseThrow().count());
    assertTrue(result.notes().get(0).contains("Python 3."), result.notes().toString());
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
