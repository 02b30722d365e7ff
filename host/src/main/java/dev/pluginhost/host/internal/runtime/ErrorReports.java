package dev.pluginhost.host.internal.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads what matters to a person out of a JVM's fatal error report (an hs_err file). */
final class ErrorReports {
  /** How far into a report the summary may be: it is at the top, and reports run to megabytes. */
  private static final int HEADER_LINES = 60;

  private ErrorReports() {}

  /**
   * The fault and the frame it hit, from the report's header, such as {@code SIGSEGV (0xb) at
   * pc=0x00007f.., pid=2, tid=31; in frame V [libjvm.so+0xe1c2f5] Unsafe_PutLong+0x...}; or
   * {@code a fatal error} when the header says neither (the report is cut short, or unreadable).
   */
  static String fault(Path report) {
    String fault = null;
    String frame = null;
    try (BufferedReader reader = Files.newBufferedReader(report, StandardCharsets.UTF_8)) {
      boolean frameNext = false;
      String line;
      for (int i = 0; i < HEADER_LINES && (line = reader.readLine()) != null; i++) {
        String text = line.startsWith("#") ? line.substring(1).trim() : null;
        if (text == null || text.isEmpty()) {
          frameNext = false;
          continue;
        }
        if (frameNext && frame == null) {
          frame = text.replaceAll("\\s+", " ");
        } else if (fault == null
            && (text.startsWith("SIG") || text.startsWith("EXCEPTION_") || text.startsWith("Internal Error"))) {
          fault = text;
        }
        frameNext = text.equals("Problematic frame:");
      }
    } catch (IOException | RuntimeException e) {
      // An unreadable report still says the JVM crashed; the caller names its path.
    }
    if (fault == null) {
      return "a fatal error";
    }
    return frame == null ? fault : fault + "; in frame " + frame;
  }
}
