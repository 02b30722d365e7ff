package dev.pluginhost.host.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pluginhost.host.internal.doctor.IsolationReport;
import dev.pluginhost.host.internal.doctor.Protection;
import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportJsonTest {
  @Test
  void format_writesOkEachProtectionAndTheMissingNames() {
    IsolationReport report =
        new IsolationReport(List.of(
            new Protection("sandbox", Status.NO, true, "apt-get install bubblewrap"),
            new Protection("hidepid", Status.NO, false, "/proc has no hidepid")));

    assertEquals(
        "{\n"
            + "  \"ok\": false,\n"
            + "  \"protections\": [\n"
            + "    {\"name\": \"sandbox\", \"status\": \"no\", \"used\": true, \"detail\": \"apt-get install bubblewrap\"},\n"
            + "    {\"name\": \"hidepid\", \"status\": \"no\", \"used\": false, \"detail\": \"/proc has no hidepid\"}\n"
            + "  ],\n"
            + "  \"missing\": [\"sandbox\"]\n"
            + "}\n",
        ReportJson.format(report));
  }

  @Test
  void format_ofAnEmptyReport_isStillValidJson() {
    assertEquals(
        "{\n  \"ok\": true,\n  \"protections\": [\n  ],\n  \"missing\": []\n}\n",
        ReportJson.format(new IsolationReport(List.of())));
  }

  @Test
  void quote_escapesQuotesBackslashesAndControlCharacters() {
    assertEquals("\"say \\\"hi\\\" C:\\\\tmp\\n\\t\\u0001\"", ReportJson.quote("say \"hi\" C:\\tmp\n\t\u0001"));
  }

  @Test
  void quote_leavesNonAsciiTextAsItIs() {
    assertEquals("\"größe ≤ 100\"", ReportJson.quote("größe ≤ 100"));
  }
}
