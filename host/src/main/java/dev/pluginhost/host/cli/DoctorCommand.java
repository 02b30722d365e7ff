package dev.pluginhost.host.cli;

import dev.pluginhost.host.internal.doctor.IsolationProbe;
import dev.pluginhost.host.internal.doctor.IsolationReport;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Reports which isolation protections this machine gives plugins, before anyone trusts it. */
@Command(
    name = "doctor",
    mixinStandardHelpOptions = true,
    description = {
      "Reports which isolation protections this machine gives plugins: the OS",
      "sandbox, process limits, cgroups, the JVM's own limits, the socket transport",
      "and the JDK. Rows marked * are used by the default settings. Probes as the",
      "host would (runs bubblewrap and prlimit once each) and leaves nothing behind."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:every protection the default settings use is available",
      "1:something they use is missing or partial (the last line says which)",
      "2:usage error"
    })
final class DoctorCommand implements Callable<Integer> {
  @Option(names = "--json", description = "Print the report as JSON, for scripts.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    // Set before the first logger exists: the report says everything worth saying.
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    IsolationReport report = IsolationProbe.run();
    PrintWriter out = spec.commandLine().getOut();
    out.print(json ? ReportJson.format(report) : ReportTable.format(report));
    out.flush();
    return report.ok() ? 0 : 1;
  }
}
