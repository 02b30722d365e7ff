package dev.pluginhost.runner.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.pluginhost.proto.WireProtocol;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PipeWindowTest {
  @ParameterizedTest(name = "messages of up to {0} bytes -> {1} asked for or waiting")
  @CsvSource({"0, 4", "65536, 4", "4194304, 4", "8388608, 2", "16777216, 1", "268435456, 1"})
  void aPipeKeepsUpToFourMessages_withinSixteenMebibytes_andAlwaysOne(int maxMessageBytes, int expected) {
    assertEquals(expected, WireProtocol.pipeWindow(maxMessageBytes));
  }
}
