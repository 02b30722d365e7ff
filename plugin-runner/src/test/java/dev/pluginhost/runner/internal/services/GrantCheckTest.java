package dev.pluginhost.runner.internal.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.pluginhost.plugin.api.HostServiceException;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class GrantCheckTest {

  @Test
  void require_ofAHeldGrant_passes() {
    new GrantCheck("p", Set.of("kv", "locks")).require("kv");
  }

  @Test
  void require_ofAMissingGrant_isPermissionDenied_wordedAsTheHostWordsIt() {
    GrantCheck grants = new GrantCheck("ledger", Set.of("kv"));

    HostServiceException e = assertThrows(HostServiceException.class, () -> grants.require("locks"));

    assertEquals(HostServiceException.Code.PERMISSION_DENIED, e.code());
    assertEquals(Optional.of("locks"), e.missingGrant());
    assertEquals(
        "PERMISSION_DENIED: plugin ledger was not granted \"locks\" (add it to the plugin's grants in its settings)",
        e.getMessage());
  }

  @Test
  void callStar_holdsEveryCallGrant_butNothingElse() {
    GrantCheck grants = new GrantCheck("p", Set.of("call:*"));

    assertTrue(grants.holds("call:squares"));
    assertTrue(grants.holds("call:anything-at-all"));
    assertFalse(grants.holds("service:pricing"));
    assertFalse(grants.holds("kv"));
    assertFalse(grants.holds("callx:squares"));
  }

  @Test
  void callGrantForOnePlugin_doesNotHoldAnother() {
    GrantCheck grants = new GrantCheck("p", Set.of("call:squares"));

    assertTrue(grants.holds("call:squares"));
    assertFalse(grants.holds("call:square"));
    assertFalse(grants.holds("call:squares2"));
    assertFalse(grants.holds("call:*"));
  }

  @Test
  void serviceGrant_holdsOnlyItsService() {
    GrantCheck grants = new GrantCheck("p", Set.of("service:pricing"));

    assertTrue(grants.holds("service:pricing"));
    assertFalse(grants.holds("service:billing"));
    assertFalse(grants.holds("service:*"));
  }

  @Test
  void grants_areACopy_thatLaterChangesToTheSourceDoNotReach() {
    Set<String> source = new HashSet<>(Set.of("kv"));
    GrantCheck grants = new GrantCheck("p", source);

    source.add("locks");

    assertFalse(grants.holds("locks"));
    assertEquals(Set.of("kv"), grants.grants());
    assertThrows(UnsupportedOperationException.class, () -> grants.grants().add("locks"));
  }
}
