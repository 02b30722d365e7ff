package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded system properties, installed for real (they work only as the JVM's own): each test
 * puts the JVM's properties back afterwards.
 */
class UninheritedPropertiesTest {
  private static final String HOST_ONLY = "app.region";
  private static final String ALSO_HOST_ONLY = "db.url";
  private static final String OWN = "app.mode";

  private Properties original;

  @BeforeEach
  void setUp() {
    original = System.getProperties();
    Properties copy = new Properties();
    copy.putAll(original);
    System.setProperties(copy);
  }

  @AfterEach
  void tearDown() {
    System.setProperties(original);
  }

  private void install() {
    System.setProperty(OWN, "batch");
    UninheritedProperties.install("ledger", Set.of(HOST_ONLY, ALSO_HOST_ONLY, OWN));
  }

  @Test
  void hostOnlyName_withoutAValueHere_throwsNamingTheProperty() {
    install();

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> System.getProperty(HOST_ONLY));

    assertTrue(e.getMessage().contains("'" + HOST_ONLY + "'"), e.getMessage());
    assertTrue(e.getMessage().contains("plugin ledger"), e.getMessage());
    assertTrue(e.getMessage().contains("-D" + HOST_ONLY + "="), "says how to give the plugin its own: " + e.getMessage());
  }

  @Test
  void hostOnlyName_withADefault_throwsToo() {
    install();

    assertThrows(IllegalStateException.class, () -> System.getProperty(HOST_ONLY, "fallback"));
    assertThrows(IllegalStateException.class, () -> System.getProperties().getProperty(ALSO_HOST_ONLY, "fallback"));
  }

  @Test
  void hostOnlyName_throughTheJdksOwnReaders_throws() {
    install();

    assertThrows(IllegalStateException.class, () -> Integer.getInteger(HOST_ONLY));
    assertThrows(IllegalStateException.class, () -> Boolean.getBoolean(HOST_ONLY));
  }

  @Test
  void hostOnlyName_withItsOwnValueHere_readsNormally() {
    install();

    assertEquals("batch", System.getProperty(OWN));
    assertEquals("batch", System.getProperty(OWN, "fallback"));
  }

  @Test
  void hostOnlyName_setByThePluginAfterInstall_readsNormally_andThrowsAgainOnceCleared() {
    install();

    System.setProperty(HOST_ONLY, "eu-west");
    assertEquals("eu-west", System.getProperty(HOST_ONLY));

    System.clearProperty(HOST_ONLY);
    assertThrows(IllegalStateException.class, () -> System.getProperty(HOST_ONLY));
  }

  @Test
  void otherNames_areNullOrTheirDefault_asUsual() {
    install();

    assertNull(System.getProperty("never.set.anywhere"));
    assertEquals("fallback", System.getProperty("never.set.anywhere", "fallback"));
  }

  @Test
  void theJvmsOwnProperties_surviveTheInstall() {
    String javaVersion = original.getProperty("java.version");
    String lineSeparator = original.getProperty("line.separator");

    install();

    assertEquals(javaVersion, System.getProperty("java.version"));
    assertEquals(lineSeparator, System.getProperty("line.separator"));
    assertTrue(System.getProperties() instanceof UninheritedProperties);
  }

  @Test
  void message_neverCarriesAValue() {
    System.setProperty(OWN, "s3cr3t-value");
    UninheritedProperties.install("ledger", Set.of(HOST_ONLY));

    IllegalStateException e = assertThrows(IllegalStateException.class, () -> System.getProperty(HOST_ONLY));

    assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
  }

  @Test
  void install_withNoHostNames_leavesThePropertiesAlone() {
    Properties before = System.getProperties();

    UninheritedProperties.install("ledger", Set.of());

    assertSame(before, System.getProperties());
    assertNull(System.getProperty(HOST_ONLY));
  }

  @Test
  void hostOnlyNames_areReadAsKeys_notAsPrefixes() {
    install();

    assertNull(System.getProperty(HOST_ONLY + ".sub"));
    assertNull(System.getProperty("app"));
  }
}
