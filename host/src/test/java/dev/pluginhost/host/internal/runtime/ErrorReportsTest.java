package dev.pluginhost.host.internal.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ErrorReportsTest {
  @TempDir Path tempDir;

  @Test
  void fault_ofAnHsErrHeader_namesTheSignalAndTheProblematicFrame() throws Exception {
    Path report =
        Files.writeString(
            tempDir.resolve("hs_err_pid2.log"),
            String.join(
                "\n",
                "#",
                "# A fatal error has been detected by the Java Runtime Environment:",
                "#",
                "#  SIGSEGV (0xb) at pc=0x00007f3c2d6f1b45, pid=2, tid=35",
                "#",
                "# JRE version: OpenJDK Runtime Environment (17.0.15+6) (build 17.0.15+6)",
                "# Java VM: OpenJDK 64-Bit Server VM (17.0.15+6, mixed mode, linux-amd64)",
                "# Problematic frame:",
                "# V  [libjvm.so+0xe8ab45]  Unsafe_PutLong+0x55",
                "#",
                "# No core dump will be written.",
                "",
                "---------------  S U M M A R Y ------------",
                ""));
    assertEquals(
        "SIGSEGV (0xb) at pc=0x00007f3c2d6f1b45, pid=2, tid=35; in frame V [libjvm.so+0xe8ab45] Unsafe_PutLong+0x55",
        ErrorReports.fault(report));
  }

  @Test
  void fault_ofAReportCutShort_isAFatalError() throws Exception {
    Path report = Files.writeString(tempDir.resolve("hs_err_pid7.log"), "#\n# A fatal error has been detected");
    assertEquals("a fatal error", ErrorReports.fault(report));
  }

  @Test
  void fault_ofAMissingReport_isAFatalError() {
    assertEquals("a fatal error", ErrorReports.fault(tempDir.resolve("gone.log")));
  }
}
