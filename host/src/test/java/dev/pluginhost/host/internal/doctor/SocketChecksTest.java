package dev.pluginhost.host.internal.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.host.internal.doctor.Protection.Status;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;

class SocketChecksTest {
  @Test
  void socketDirectory_madeRwxForItsOwnerOnly_isYes() {
    Protection row = SocketChecks.socketDirectory(PosixFilePermissions.fromString("rwx------"), "root", null);

    assertEquals(Status.YES, row.status());
    assertTrue(row.detail().startsWith("/tmp/ph-*/<plugin>-*/r.sock, each directory rwx------ for root"), row.detail());
  }

  @Test
  void socketDirectory_openToOthers_isNo() {
    Protection row = SocketChecks.socketDirectory(PosixFilePermissions.fromString("rwxr-xr-x"), "root", null);

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("came out rwxr-xr-x"), row.detail());
  }

  @Test
  void socketDirectory_thatCannotBeMade_isNo_andSaysWhy() {
    Protection row = SocketChecks.socketDirectory(null, null, "java.nio.file.AccessDeniedException: /tmp/ph-1");

    assertEquals(Status.NO, row.status());
    assertTrue(row.detail().contains("AccessDeniedException"), row.detail());
  }

  @Test
  void longestId_leavesTheLongestSocketPathAtTheHostsLimit() {
    String longest = "/tmp/ph-" + "9".repeat(20) + "/" + "x".repeat(SocketChecks.LONGEST_ID) + "-" + "9".repeat(20) + "/r.sock";

    assertEquals(SocketChecks.MAX_SOCKET_PATH, longest.length());
  }

  @Test
  void epoll_unavailable_isNo_andCarriesNettysReason() {
    Protection row = SocketChecks.epoll(false, new UnsatisfiedLinkError("no libnetty_transport_native_epoll"));

    assertEquals(Status.NO, row.status());
    assertTrue(row.used());
    assertTrue(row.detail().contains("no libnetty_transport_native_epoll"), row.detail());
  }

  @Test
  void epoll_available_isYes() {
    assertEquals(Status.YES, SocketChecks.epoll(true, null).status());
  }
}
