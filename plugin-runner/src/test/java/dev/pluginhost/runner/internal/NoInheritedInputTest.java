package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Scanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class NoInheritedInputTest {
  private final InputStream in = new NoInheritedInput("worker");

  private static void assertExplained(Executable read) {
    IOException e = assertThrows(IOException.class, read);
    assertTrue(e.getMessage().startsWith("plugin worker read standard input"), e.getMessage());
    assertTrue(e.getMessage().contains("spawned, not forked"), e.getMessage());
  }

  @Test
  void everyKindOfRead_failsSayingWhy() {
    for (Executable read : List.<Executable>of(
        in::read,
        () -> in.read(new byte[8]),
        () -> in.read(new byte[8], 2, 4),
        in::readAllBytes,
        () -> in.readNBytes(3),
        () -> in.readNBytes(new byte[8], 0, 8),
        in::available,
        () -> in.skip(1),
        () -> in.transferTo(OutputStream.nullOutputStream()))) {
      assertExplained(read);
    }
  }

  @Test
  void readThroughAReader_failsSayingWhy() {
    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));

    assertExplained(reader::readLine);
  }

  @Test
  void scanner_seesTheFailure_insteadOfAnEmptyInput() {
    Scanner scanner = new Scanner(in, StandardCharsets.UTF_8);

    scanner.hasNextLine();

    IOException e = scanner.ioException();
    assertTrue(e != null && e.getMessage().contains("spawned, not forked"), "scanner saw: " + e);
  }

  @Test
  void readOfNothing_stillFails() {
    // Not even a zero-length read may pass for "no input yet".
    assertExplained(() -> in.read(new byte[0], 0, 0));
  }

  @Test
  void close_isHarmless() throws IOException {
    in.close();

    assertEquals(false, in.markSupported());
  }
}
