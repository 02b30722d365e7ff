package dev.pluginhost.host.internal.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VersionRangeTest {

  @Test
  void closedOpenInterval_includesLowerBound_excludesUpperBound() {
    VersionRange range = VersionRange.parse("[1.0,2.0)");

    assertTrue(range.contains("1.0"));
    assertTrue(range.contains("1.9.9"));
    assertFalse(range.contains("0.9"));
    assertFalse(range.contains("2.0"));
  }

  @Test
  void openClosedInterval_excludesLowerBound_includesUpperBound() {
    VersionRange range = VersionRange.parse("(1.0,2.0]");

    assertFalse(range.contains("1.0"));
    assertTrue(range.contains("1.0.1"));
    assertTrue(range.contains("2.0"));
    assertFalse(range.contains("2.0.1"));
  }

  @Test
  void emptyBounds_areUnbounded() {
    assertTrue(VersionRange.parse("[1.0,)").contains("999.0"));
    assertFalse(VersionRange.parse("[1.0,)").contains("0.9"));
    assertTrue(VersionRange.parse("(,2.0)").contains("0.0.1"));
    assertFalse(VersionRange.parse("(,2.0)").contains("2.0"));
  }

  @Test
  void bareVersion_meansThatVersionUpToNextMajor() {
    VersionRange range = VersionRange.parse("1.2");

    assertFalse(range.contains("1.1"));
    assertTrue(range.contains("1.2"));
    assertTrue(range.contains("1.99"));
    assertFalse(range.contains("2.0"));
  }

  @Test
  void bareMajorOnly_coversWholeMajor() {
    VersionRange range = VersionRange.parse("1");

    assertTrue(range.contains("1.0"));
    assertFalse(range.contains("2"));
  }

  @Test
  void missingTrailingParts_compareAsZero() {
    assertTrue(VersionRange.parse("[1,2)").contains("1.0.0"));
    assertFalse(VersionRange.parse("(1,2)").contains("1.0.0"));
  }

  @Test
  void whitespace_isIgnored() {
    VersionRange range = VersionRange.parse("  [ 1.0 , 2.0 )  ");

    assertTrue(range.contains("1.0"));
    assertEquals("[ 1.0 , 2.0 )", range.toString());
  }

  @Test
  void emptyText_failsSayingEmpty() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("  "));
    assertEquals("empty version range", e.getMessage());
  }

  @Test
  void missingClosingBracket_failsNamingTheRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("[1.0,2.0"));
    assertEquals("version range '[1.0,2.0' must end with ']' or ')'", e.getMessage());
  }

  @Test
  void noOrTwoCommas_failSayingOneIsNeeded() {
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("[1.0]"));
    IllegalArgumentException two =
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("[1.0,1.5,2.0]"));

    assertEquals("version range '[1.0]' needs exactly one comma", none.getMessage());
    assertEquals("version range '[1.0,1.5,2.0]' needs exactly one comma", two.getMessage());
  }

  @Test
  void reversedBounds_failSayingReversed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("[2.0,1.0]"));
    assertEquals("version range '[2.0,1.0]' has its bounds reversed", e.getMessage());
  }

  @Test
  void nonNumericPart_failsNamingPartAndRange() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("[1.x,2.0)"));
    assertEquals("'1.x' in '[1.x,2.0)' is not a version of dotted numbers", e.getMessage());
  }

  @Test
  void negativeOrEmptyParts_areRejected() {
    assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("-1"));
    assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("1..0"));
    assertThrows(IllegalArgumentException.class, () -> VersionRange.parse("1.0."));
  }

  @Test
  void contains_badVersion_fails() {
    VersionRange range = VersionRange.parse("[1.0,2.0)");

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> range.contains("one"));
    assertEquals("'one' in 'one' is not a version of dotted numbers", e.getMessage());
  }
}
