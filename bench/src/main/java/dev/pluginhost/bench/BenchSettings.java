package dev.pluginhost.bench;

import dev.pluginhost.host.PluginSettings;
import java.util.Arrays;

/**
 * The plugin settings every benchmark starts from: the host's defaults, plus the JVM options in the
 * system property {@value #JVM_OPTIONS_PROPERTY} (split on spaces), so the same figures can be
 * measured under other tuning, such as {@code -XX:TieredStopAtLevel=4} for the C2 compiler.
 */
public final class BenchSettings {
  public static final String JVM_OPTIONS_PROPERTY = "pluginhost.bench.jvmOptions";

  private BenchSettings() {}

  /** A builder with the host's defaults and the extra JVM options, if any. */
  public static PluginSettings.Builder builder() {
    PluginSettings.Builder builder = PluginSettings.builder();
    String extra = System.getProperty(JVM_OPTIONS_PROPERTY, "").trim();
    if (!extra.isEmpty()) {
      builder.addJvmOptions(Arrays.stream(extra.split("\\s+")).toArray(String[]::new));
    }
    return builder;
  }

  /** The extra JVM options, for a report: empty if none. */
  public static String extraJvmOptions() {
    return System.getProperty(JVM_OPTIONS_PROPERTY, "").trim();
  }
}
