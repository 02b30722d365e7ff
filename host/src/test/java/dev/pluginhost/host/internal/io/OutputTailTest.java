package dev.pluginhost.host.internal.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class OutputTailTest {

  @Test
  void snapshot_holdsLinesOldestFirst() {
    OutputTail tail = new OutputTail(3);
    tail.add("a");
    tail.add("b");

    assertEquals(List.of("a", "b"), tail.snapshot());
  }

  @Test
  void add_beyondCapacity_dropsOldest() {
    OutputTail tail = new OutputTail(2);
    tail.add("a");
    tail.add("b");
    tail.add("c");

    assertEquals(List.of("b", "c"), tail.snapshot());
  }

  @Test
  void add_longLine_isCutWithEllipsis() {
    OutputTail tail = new OutputTail(1);
    tail.add("y".repeat(OutputTail.MAX_LINE_CHARS + 1));

    assertEquals(List.of("y".repeat(OutputTail.MAX_LINE_CHARS) + "..."), tail.snapshot());
  }

  @Test
  void add_lineOfExactlyMax_isKept() {
    OutputTail tail = new OutputTail(1);
    String line = "y".repeat(OutputTail.MAX_LINE_CHARS);
    tail.add(line);

    assertEquals(List.of(line), tail.snapshot());
  }

  @Test
  void snapshot_isAnUnmodifiableCopy() {
    OutputTail tail = new OutputTail(2);
    tail.add("a");
    List<String> before = tail.snapshot();
    tail.add("b");

    assertEquals(List.of("a"), before);
    assertThrows(UnsupportedOperationException.class, () -> before.add("c"));
  }
}
