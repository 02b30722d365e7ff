package dev.pluginhost.bench.baseline;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The machine the figures come from, as this JVM sees it.
 *
 * @param cores {@link Runtime#availableProcessors()}
 * @param cpu the CPU's model name from /proc/cpuinfo, or empty when it cannot be read
 * @param jdk the Java runtime's version and VM
 * @param os the OS name (from /etc/os-release when readable), kernel version and architecture
 */
public record Machine(int cores, String cpu, String jdk, String os) {

  /** This machine. Reads two small files; never throws for their absence. */
  public static Machine current() {
    String cpu = field(Path.of("/proc/cpuinfo"), "model name", ':').orElse("");
    String distribution = field(Path.of("/etc/os-release"), "PRETTY_NAME", '=').orElse(System.getProperty("os.name"));
    return new Machine(
        Runtime.getRuntime().availableProcessors(),
        cpu,
        System.getProperty("java.runtime.version") + " (" + System.getProperty("java.vm.name") + ", "
            + System.getProperty("java.vendor") + ")",
        distribution + ", " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch"));
  }

  /** One line for the top of a report. */
  public String describe() {
    return "machine: " + cores + " cores" + (cpu.isEmpty() ? "" : " (" + cpu + ")") + "; JDK " + jdk + "; " + os;
  }

  /**
   * The 1, 5 and 15 minute load averages from /proc/loadavg, such as {@code "0.52 0.61 0.40"};
   * {@code "unknown"} where that file cannot be read.
   */
  public static String loadAverage() {
    try {
      String[] fields = Files.readString(Path.of("/proc/loadavg")).strip().split("\\s+");
      return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] + " (1, 5, 15 min)" : "unknown";
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static Optional<String> field(Path file, String key, char separator) {
    try {
      List<String> lines = Files.readAllLines(file);
      for (String line : lines) {
        int at = line.indexOf(separator);
        if (at > 0 && line.substring(0, at).strip().equals(key)) {
          return Optional.of(line.substring(at + 1).strip().replace("\"", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or not readable: say nothing.
    }
    return Optional.empty();
  }
}
