package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class LimitChecksTest {
  private static final PluginSettings DEFAULTS = PluginSettings.defaults();
  private static final ShortCommand.Result WORKED = new ShortCommand.Result(0, "");

  @Test
  void prlimit_thatRunsACommandUnderTheDefaults_isYes_andNamesEachLimit() {
    Protection row = LimitChecks.prlimit("/usr/bin/prlimit", WORKED, DEFAULTS);

    assertEquals(Status.YES, row.status());
    assertTrue(row.used());
    assertEquals(
        "/usr/bin/prlimit: open files 4096, core dumps off, CPU seconds when cpuSecondsLimit is set (unlimited by default)",
        row.detail());
  }

  @Test
  void prlimit_withACpuLimitSet_saysItsSeconds() {
    Protection row = LimitChecks.prlimit("/usr/bin/prlimit", WORKED, PluginSettings.builder().cpuSecondsLimit(30).build());

    assertTrue(row.detail().endsWith("CPU 30 s"), row.detail());
  }

  @Test
  void prlimit_notInstalled_isNo_andSaysWhichPackageHasIt() {
    Protection row = LimitChecks.prlimit(null, null, DEFAULTS);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("apt-get install util-linux"), row.detail());
  }

  @Test
  void prlimit_thatCannotSetTheLimits_isNo_quotesIt_andSaysPluginsWouldNotStart() {
    ShortCommand.Result failed = new ShortCommand.Result(1, "prlimit: failed to set the NOFILE resource limit: Operation not permitted");

    Protection row = LimitChecks.prlimit("/usr/bin/prlimit", failed, DEFAULTS);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("plugins fail to start (prlimit: failed to set the NOFILE"), row.detail());
    assertTrue(row.detail().contains("ulimit -Hn"), row.detail());
  }

  @Test
  void nproc_asRoot_isNo_becauseTheKernelExemptsRoot() {
    Protection row = LimitChecks.nproc(new HostIdentity(0, 0x1fffeffffffL));

    assertEquals(Status.NO, row.status());
    assertFalse(row.used());
    assertTrue(row.detail().contains("does not enforce RLIMIT_NPROC"), row.detail());
  }

  @Test
  void nproc_forAUserWithCapSysResource_isNo() {
    Protection row = LimitChecks.nproc(new HostIdentity(1000, 1L << HostIdentity.CAP_SYS_RESOURCE));

    assertEquals(Status.NO, row.status());
  }

  @Test
  void nproc_forAnOrdinaryUser_isYes_butNotUsed() {
    Protection row = LimitChecks.nproc(new HostIdentity(1000, 0));

    assertEquals(Status.YES, row.status());
    assertFalse(row.used());
    assertTrue(row.detail().startsWith("enforced for uid 1000"), row.detail());
  }

  @Test
  void jvm_byDefault_listsHeapMetaspaceAndDirectMemory_andSaysStacksAreTheJvmsDefault() {
    Protection row = LimitChecks.jvm(DEFAULTS);

    assertEquals(Status.YES, row.status());
    assertEquals(
        "-Xmx256m, -XX:MaxMetaspaceSize=128m, -XX:MaxDirectMemorySize=128m,"
            + " stacks at the JVM's default (threadStackKilobytes sets -Xss), exits on OutOfMemoryError",
        row.detail());
  }

  @Test
  void jvm_withAStackSize_listsItsFlag() {
    Protection row = LimitChecks.jvm(PluginSettings.builder().threadStackKilobytes(256).build());

    assertTrue(row.detail().contains("-Xss256k"), row.detail());
  }

  @Test
  void jdk_whosePluginLauncherIsMissing_isNo() {
    Protection row = LimitChecks.jdk(PluginSettings.builder().javaExecutable(Path.of("/nonexistent/bin/java")).build());

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("/nonexistent/bin/java is not executable"), row.detail());
  }

  @Test
  void jdk_byDefault_isThisJvm_andNamesItsVersionAndHome() {
    Protection row = LimitChecks.jdk(DEFAULTS);

    assertEquals(Status.YES, row.status());
    assertTrue(row.detail().startsWith("Java " + Runtime.version()), row.detail());
    assertTrue(row.detail().contains(System.getProperty("java.home")), row.detail());
  }
}
