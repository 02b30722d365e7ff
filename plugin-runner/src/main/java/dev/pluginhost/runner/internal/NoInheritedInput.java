package dev.pluginhost.runner.internal;

import java.io.IOException;
import java.io.InputStream;

/**
 * The plugin's {@code System.in}. A worker written for fork (or as a hand-rolled worker process)
 * reads its jobs from a standard input its parent feeds; here nothing feeds it, and an empty
 * stream would let such a plugin run on with no data as if there were none. Every read fails
 * instead, saying why.
 */
public final class NoInheritedInput extends InputStream {
  private final String pluginId;

  public NoInheritedInput(String pluginId) {
    this.pluginId = pluginId;
  }

  @Override
  public int read() throws IOException {
    throw refusal();
  }

  @Override
  public int read(byte[] buffer, int offset, int length) throws IOException {
    throw refusal();
  }

  @Override
  public int available() throws IOException {
    throw refusal();
  }

  private IOException refusal() {
    return new IOException(
        "plugin " + pluginId + " read standard input, which no one writes to: a plugin JVM inherits no open files,"
            + " pipes or sockets from its host (it is spawned, not forked); take input as call arguments or"
            + " through a Pipe (registerStreaming), and open files by paths passed in its config");
  }
}
