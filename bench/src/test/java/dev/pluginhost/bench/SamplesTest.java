package dev.pluginhost.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplesTest {

  private static Samples of(double... values) {
    Samples samples = new Samples("test");
    for (double value : values) {
      samples.add(value);
    }
    return samples;
  }

  @Test
  void median_ofAnOddCount_isTheMiddleValue_whateverTheOrder() {
    assertEquals(3, of(5, 1, 3, 4, 2).median());
  }

  @Test
  void median_ofAnEvenCount_isTheMeanOfTheMiddleTwo() {
    assertEquals(2.5, of(4, 1, 3, 2).median());
  }

  @Test
  void percentiles_interpolateBetweenTheClosestRanks() {
    Samples samples = of(10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110);
    assertEquals(20, samples.percentile(10));
    assertEquals(100, samples.percentile(90));
    assertEquals(15, of(10, 20).percentile(50));
    assertEquals(10, samples.min());
    assertEquals(110, samples.max());
  }

  @Test
  void oneSample_isEveryPercentile() {
    Samples samples = of(7);
    assertEquals(7, samples.percentile(10));
    assertEquals(7, samples.median());
    assertEquals(7, samples.percentile(90));
  }

  @Test
  void noSamples_failsWithTheName() {
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Samples("cold start").median());
    assertEquals("no samples of cold start", e.getMessage());
  }
}
