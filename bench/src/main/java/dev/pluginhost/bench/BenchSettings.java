package dev.pluginhost.bench;

import dev.pluginhost.host.PluginSettings;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The plugin settings every benchmark starts from: the host's defaults, plus the JVM options in the
 * system property {@value #JVM_OPTIONS_PROPERTY} (split on spaces) and the launcher in {@value
 * #JAVA_PROPERTY}, so the same figures can be measured under other tuning, such as {@code
 * -XX:TieredStopAtLevel=4} for the C2 compiler, or on another JDK.
 */
public final class BenchSettings {
  public static final String JVM_OPTIONS_PROPERTY = "pluginhost.bench.jvmOptions";
  /** The java launcher plugin JVMs run on, if not this JVM's own (for example a newer JDK). */
  public static final String JAVA_PROPERTY = "pluginhost.bench.java";

  private BenchSettings() {}

  /** A builder with the host's defaults and the extra JVM options, if any. */
  public static PluginSettings.Builder builder() {
    PluginSettings.Builder builder = PluginSettings.builder();
    String launcher = System.getProperty(JAVA_PROPERTY, "").trim();
    if (!launcher.isEmpty()) {
      builder.javaExecutable(Path.of(launcher));
    }
    String extra = System.getProperty(JVM_OPTIONS_PROPERTY, "").trim();
    if (!extra.isEmpty()) {
      builder.addJvmOptions(Arrays.stream(extra.split("\\s+")).toArray(String[]::new));
    }
    return builder;
  }

  /** The extra JVM options and launcher, for a report: empty if none. */
  public static String extraJvmOptions() {
    String options = System.getProperty(JVM_OPTIONS_PROPERTY, "").trim();
    String launcher = System.getProperty(JAVA_PROPERTY, "").trim();
    return launcher.isEmpty() ? options : (options + " (java: " + launcher + ")").trim();
  }
}
