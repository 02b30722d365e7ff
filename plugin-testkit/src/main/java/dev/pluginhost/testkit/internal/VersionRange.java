package dev.pluginhost.testkit.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * An interval of dotted versions, as a plugin descriptor's {@code api} key states it:
 * {@code [1.0,2.0)} (brackets include, parentheses exclude, either bound may be empty), or a bare
 * version {@code 1.2}, which means {@code [1.2,2.0)}: that version or any later one of the same
 * major version.
 *
 * <p>A copy of the host's {@code dev.pluginhost.host.internal.catalog.VersionRange}, kept in step
 * with it by hand: the in-process mode checks a descriptor as the host's catalog does, and must not
 * load a host class to do it (it needs only the plugin API).
 */
public final class VersionRange {
  private final List<Integer> lower;
  private final boolean lowerInclusive;
  private final List<Integer> upper;
  private final boolean upperInclusive;
  private final String text;

  private VersionRange(
      List<Integer> lower, boolean lowerInclusive, List<Integer> upper, boolean upperInclusive, String text) {
    this.lower = lower;
    this.lowerInclusive = lowerInclusive;
    this.upper = upper;
    this.upperInclusive = upperInclusive;
    this.text = text;
  }

  /**
   * Parses a range.
   *
   * @throws IllegalArgumentException saying what is wrong with {@code text}
   */
  public static VersionRange parse(String text) {
    String s = text.trim();
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty version range");
    }
    char first = s.charAt(0);
    if (first != '[' && first != '(') {
      List<Integer> version = parseVersion(s, text);
      List<Integer> nextMajor = List.of(version.get(0) + 1);
      return new VersionRange(version, true, nextMajor, false, s);
    }
    char last = s.charAt(s.length() - 1);
    if (last != ']' && last != ')') {
      throw new IllegalArgumentException("version range '" + text + "' must end with ']' or ')'");
    }
    String inner = s.substring(1, s.length() - 1);
    int comma = inner.indexOf(',');
    if (comma < 0 || inner.indexOf(',', comma + 1) >= 0) {
      throw new IllegalArgumentException("version range '" + text + "' needs exactly one comma");
    }
    String low = inner.substring(0, comma).trim();
    String high = inner.substring(comma + 1).trim();
    List<Integer> lower = low.isEmpty() ? null : parseVersion(low, text);
    List<Integer> upper = high.isEmpty() ? null : parseVersion(high, text);
    if (lower != null && upper != null && compare(lower, upper) > 0) {
      throw new IllegalArgumentException("version range '" + text + "' has its bounds reversed");
    }
    return new VersionRange(lower, first == '[', upper, last == ']', s);
  }

  /** Whether {@code version} (dotted numbers, such as {@code 1.0}) lies in this range. */
  public boolean contains(String version) {
    List<Integer> v = parseVersion(version, version);
    if (lower != null) {
      int c = compare(v, lower);
      if (c < 0 || (c == 0 && !lowerInclusive)) {
        return false;
      }
    }
    if (upper != null) {
      int c = compare(v, upper);
      if (c > 0 || (c == 0 && !upperInclusive)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }

  private static List<Integer> parseVersion(String version, String context) {
    List<Integer> parts = new ArrayList<>();
    for (String part : version.trim().split("\\.", -1)) {
      try {
        int n = Integer.parseInt(part);
        if (n < 0) {
          throw new NumberFormatException();
        }
        parts.add(n);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "'" + version + "' in '" + context + "' is not a version of dotted numbers");
      }
    }
    return parts;
  }

  private static int compare(List<Integer> a, List<Integer> b) {
    for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
      int x = i < a.size() ? a.get(i) : 0;
      int y = i < b.size() ? b.get(i) : 0;
      if (x != y) {
        return Integer.compare(x, y);
      }
    }
    return 0;
  }
}
