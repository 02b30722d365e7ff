package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SandboxCheckTest {
  private static final Path BWRAP = Path.of("/usr/bin/bwrap");

  @Test
  void available_withUserPidAndNetNamespaces_isYes_andListsEveryNewNamespace() {
    Protection row = SandboxCheck.available(BWRAP, "run as root", namespaces("user", "pid", "net", "ipc", "uts"), null, true);

    assertEquals(Status.YES, row.status());
    assertEquals("bubblewrap /usr/bin/bwrap, run as root; new namespaces: user, pid, net, ipc, uts", row.detail());
  }

  @Test
  void available_withoutAUserNamespace_isPartial_andSaysHowToAllowOne() {
    Protection row = SandboxCheck.available(BWRAP, "run as root", namespaces("pid", "net", "ipc", "uts"), null, true);

    assertEquals(Status.PARTIAL, row.status());
    assertTrue(row.detail().contains("but no user namespace"), row.detail());
    assertTrue(row.detail().contains("user.max_user_namespaces"), row.detail());
  }

  @Test
  void available_whenItsNamespacesCannotBeListed_isPartial_andSaysWhy() {
    Protection row = SandboxCheck.available(BWRAP, "run as root", Set.of(), "cannot list its namespaces: no readlink", true);

    assertEquals(Status.PARTIAL, row.status());
    assertTrue(row.detail().endsWith("cannot list its namespaces: no readlink"), row.detail());
  }

  @Test
  void unavailable_isNo_carriesTheProbesProblem_andSaysWhatPluginsGetMeanwhile() {
    Protection row = SandboxCheck.unavailable("bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap", true);

    assertEquals(Status.NO, row.status());
    assertTrue(row.used());
    assertTrue(row.detail().startsWith("bubblewrap (bwrap) is not installed; on Debian: apt-get install bubblewrap;"), row.detail());
    assertTrue(row.detail().contains("run bare under SandboxMode AUTO"), row.detail());
  }

  @Test
  void unavailable_withTheSandboxOff_isNotUsed() {
    assertFalse(SandboxCheck.unavailable("not installed", false).used());
  }

  @Test
  void runsAs_root_saysRoot() {
    assertEquals("run as root", SandboxCheck.runsAs(BWRAP, new HostIdentity(0, 0)));
  }

  @Test
  void runsAs_anOrdinaryUserWithAPlainBwrap_saysUnprivilegedAndTheUid() {
    // /bin/sh is not setuid on any machine this runs on.
    assertEquals("unprivileged, as uid 1000", SandboxCheck.runsAs(Path.of("/bin/sh"), new HostIdentity(1000, 0)));
  }

  private static Set<String> namespaces(String... names) {
    return new LinkedHashSet<>(List.of(names));
  }
}
