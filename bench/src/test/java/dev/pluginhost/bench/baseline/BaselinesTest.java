package dev.pluginhost.bench.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.bench.Samples;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BaselinesTest {
  /** A baseline that throws, or answers one figure. */
  private record FakeBaseline(String name, boolean fails) implements Baseline {
    @Override
    public String description() {
      return "fake " + name;
    }

    @Override
    public BaselineResult run() {
      if (fails) {
        throw new IllegalStateException("broken on purpose");
      }
      Samples one = new Samples("one");
      one.add(1);
      return BaselineResult.measured(name, description(), List.of(Figure.perEvent(name + ".x", "x", one)), List.of());
    }
  }

  @Test
  void runAll_aBaselineThatThrows_isFailedAndTheNextStillRuns() {
    List<String> progress = new ArrayList<>();

    List<BaselineResult> results =
        Baselines.runAll(List.of(new FakeBaseline("a", true), new FakeBaseline("b", false)), progress::add);

    assertEquals(BaselineResult.Status.FAILED, results.get(0).status());
    assertTrue(results.get(0).reason().contains("broken on purpose"), results.get(0).reason());
    assertEquals(BaselineResult.Status.MEASURED, results.get(1).status());
    assertEquals(4, progress.size(), progress.toString());
  }
}
