package dev.pluginhost.testkit.internal;

import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.testkit.CallerPipe;

/** A host's {@link PluginPipe} as a {@link CallerPipe}: the same calls, failures translated. */
public final class HostCallerPipe implements CallerPipe {
  private final PluginPipe pipe;

  public HostCallerPipe(PluginPipe pipe) {
    this.pipe = pipe;
  }

  @Override
  public void send(byte[] message) {
    try {
      pipe.send(message);
    } catch (PluginCallException e) {
      throw HostFailures.translate(e);
    }
  }

  @Override
  public void closeSend() {
    pipe.closeSend();
  }

  @Override
  public byte[] receive() {
    try {
      return pipe.receive();
    } catch (PluginCallException e) {
      throw HostFailures.translate(e);
    }
  }

  @Override
  public void cancel() {
    pipe.cancel();
  }

  @Override
  public void close() {
    pipe.close();
  }
}
