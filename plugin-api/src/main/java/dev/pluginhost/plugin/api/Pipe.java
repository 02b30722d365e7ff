package dev.pluginhost.plugin.api;

import java.nio.charset.StandardCharsets;

/**
 * The plugin's end of a two-way stream with one caller. Messages arrive and leave in order.
 *
 * <p>One thread may receive while another sends; two threads must not receive at once, nor send
 * at once. Both methods block, and both throw {@link CallCancelledException} once the caller has
 * cancelled or the call's deadline has passed, so a loop over them ends by itself.
 */
public interface Pipe {

  /**
   * Waits for the caller's next message.
   *
   * @return the message, or null once the caller has finished sending
   * @throws CallCancelledException if the call was cancelled or its deadline passed
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  byte[] receive() throws InterruptedException;

  /**
   * Sends a message to the caller, waiting while the caller is slower than the plugin (flow
   * control: a plugin cannot fill the host's memory by sending faster than it reads).
   *
   * @throws CallCancelledException if the call was cancelled or its deadline passed
   * @throws InterruptedException if the thread was interrupted while waiting
   */
  void send(byte[] message) throws InterruptedException;

  /** {@link #receive()}, decoded from UTF-8; null once the caller has finished sending. */
  default String receiveText() throws InterruptedException {
    byte[] message = receive();
    return message == null ? null : new String(message, StandardCharsets.UTF_8);
  }

  /** {@link #send(byte[])}, encoded as UTF-8. */
  default void sendText(String message) throws InterruptedException {
    send(message.getBytes(StandardCharsets.UTF_8));
  }
}
