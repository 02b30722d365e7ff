package dev.pluginhost.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PluginSettingsTest {

  static Stream<Arguments> positiveDurations() {
    return Stream.of(
        Arguments.of("startTimeout", (BiConsumer<PluginSettings.Builder, Duration>) PluginSettings.Builder::startTimeout),
        Arguments.of("callTimeLimit", (BiConsumer<PluginSettings.Builder, Duration>) PluginSettings.Builder::callTimeLimit),
        Arguments.of("probeInterval", (BiConsumer<PluginSettings.Builder, Duration>) PluginSettings.Builder::probeInterval),
        Arguments.of("probeTimeout", (BiConsumer<PluginSettings.Builder, Duration>) PluginSettings.Builder::probeTimeout));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("positiveDurations")
  void durationSetter_zeroOrNegative_isRejectedNamingTheSetting(
      String name, BiConsumer<PluginSettings.Builder, Duration> setter) {
    PluginSettings.Builder builder = PluginSettings.builder();

    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> setter.accept(builder, Duration.ZERO));
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> setter.accept(builder, Duration.ofSeconds(-1)));
    NullPointerException missing = assertThrows(NullPointerException.class, () -> setter.accept(builder, null));

    assertEquals(name + " must be positive, got PT0S", zero.getMessage());
    assertEquals(name + " must be positive, got PT-1S", negative.getMessage());
    assertEquals(name, missing.getMessage());
  }

  @Test
  void restartBackoff_zeroOrBelowInitial_isRejected() {
    PluginSettings.Builder builder = PluginSettings.builder();

    IllegalArgumentException zero = assertThrows(
        IllegalArgumentException.class, () -> builder.restartBackoff(Duration.ZERO, Duration.ofSeconds(1)));
    IllegalArgumentException reversed = assertThrows(
        IllegalArgumentException.class, () -> builder.restartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));

    assertEquals("initial backoff must be positive, got PT0S", zero.getMessage());
    assertEquals("max backoff PT1S is below initial PT2S", reversed.getMessage());
  }

  @Test
  void restartBackoff_rejected_leavesBuilderUnchanged() {
    PluginSettings.Builder builder = PluginSettings.builder();

    assertThrows(IllegalArgumentException.class, () -> builder.restartBackoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    PluginSettings settings = builder.build();

    assertEquals(PluginSettings.defaults().restartBackoffInitial(), settings.restartBackoffInitial());
    assertEquals(PluginSettings.defaults().restartBackoffMax(), settings.restartBackoffMax());
  }

  @Test
  void shutdownGrace_zeroIsAllowed_negativeIsRejected() {
    assertEquals(Duration.ZERO, PluginSettings.builder().shutdownGrace(Duration.ZERO).build().shutdownGrace());

    IllegalArgumentException e = assertThrows(
        IllegalArgumentException.class, () -> PluginSettings.builder().shutdownGrace(Duration.ofMillis(-1)));
    assertEquals("shutdownGrace must not be negative, got PT-0.001S", e.getMessage());
  }

  @Test
  void maxHeap_below16_isRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PluginSettings.builder().maxHeapMegabytes(15));
    assertEquals("maxHeapMegabytes must be at least 16, got 15", e.getMessage());
  }

  @Test
  void addJvmOptions_withoutDash_isRejected() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PluginSettings.builder().addJvmOptions("Xmx1g"));
    assertEquals("not a JVM option: Xmx1g", e.getMessage());
  }

  @Test
  void defaults_areAsDocumented() {
    PluginSettings d = PluginSettings.defaults();

    assertEquals(256, d.maxHeapMegabytes());
    assertEquals(List.of(), d.jvmOptions());
    assertEquals(Set.of(), d.inheritedEnvironment());
    assertEquals(Map.of(), d.environment());
    assertEquals(Duration.ofSeconds(30), d.startTimeout());
    assertEquals(Duration.ofSeconds(60), d.callTimeLimit());
    assertEquals(Duration.ofSeconds(2), d.probeInterval());
    assertEquals(Duration.ofSeconds(5), d.probeTimeout());
    assertEquals(Duration.ofMillis(100), d.restartBackoffInitial());
    assertEquals(Duration.ofSeconds(30), d.restartBackoffMax());
    assertEquals(Duration.ofSeconds(5), d.shutdownGrace());
  }

  @Test
  void toBuilder_roundTrip_keepsEverySetting() {
    PluginSettings original = PluginSettings.builder()
        .javaExecutable(Path.of("/opt/jdk/bin/java"))
        .maxHeapMegabytes(64)
        .addJvmOptions("-Xss512k")
        .inheritEnvironment("PATH")
        .environment("FOO", "bar")
        .config("greeting", "hi")
        .startTimeout(Duration.ofSeconds(3))
        .callTimeLimit(Duration.ofSeconds(4))
        .probeInterval(Duration.ofSeconds(5))
        .probeTimeout(Duration.ofSeconds(6))
        .restartBackoff(Duration.ofMillis(7), Duration.ofSeconds(8))
        .shutdownGrace(Duration.ofSeconds(9))
        .build();

    PluginSettings copy = original.toBuilder().build();

    assertEquals(Path.of("/opt/jdk/bin/java"), copy.javaExecutable());
    assertEquals(64, copy.maxHeapMegabytes());
    assertEquals(List.of("-Xss512k"), copy.jvmOptions());
    assertEquals(Set.of("PATH"), copy.inheritedEnvironment());
    assertEquals(Map.of("FOO", "bar"), copy.environment());
    assertEquals(Map.of("greeting", "hi"), copy.config());
    assertEquals(Duration.ofSeconds(3), copy.startTimeout());
    assertEquals(Duration.ofSeconds(4), copy.callTimeLimit());
    assertEquals(Duration.ofSeconds(5), copy.probeInterval());
    assertEquals(Duration.ofSeconds(6), copy.probeTimeout());
    assertEquals(Duration.ofMillis(7), copy.restartBackoffInitial());
    assertEquals(Duration.ofSeconds(8), copy.restartBackoffMax());
    assertEquals(Duration.ofSeconds(9), copy.shutdownGrace());
  }

  @Test
  void toBuilder_changes_doNotAffectTheOriginal() {
    PluginSettings original = PluginSettings.builder().addJvmOptions("-Xss512k").config("a", "1").build();

    PluginSettings changed = original.toBuilder().addJvmOptions("-Xint").config(Map.of("b", "2")).build();

    assertEquals(List.of("-Xss512k"), original.jvmOptions());
    assertEquals(Map.of("a", "1"), original.config());
    assertEquals(List.of("-Xss512k", "-Xint"), changed.jvmOptions());
    assertEquals(Map.of("b", "2"), changed.config());
  }

  @Test
  void collections_areImmutable() {
    PluginSettings settings = PluginSettings.builder().addJvmOptions("-Xint").build();

    assertThrows(UnsupportedOperationException.class, () -> settings.jvmOptions().add("-Xss1m"));
    assertThrows(UnsupportedOperationException.class, () -> settings.config().put("k", "v"));
  }
}
