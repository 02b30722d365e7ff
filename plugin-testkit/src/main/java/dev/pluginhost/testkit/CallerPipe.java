package dev.pluginhost.testkit;

import java.nio.charset.StandardCharsets;

/**
 * The test's end of a two-way stream with a streaming function of the plugin under test, opened
 * by {@link PluginUnderTest#openPipe}: the host's {@code PluginPipe}, in either mode. Messages
 * arrive and leave in order, with flow control both ways (a window of a few messages).
 *
 * <p>One thread may receive while another sends. Every blocking method returns or throws by the
 * call's deadline. Failures are {@link CallFailedException}s, like a unary call's. Closing the
 * pipe cancels the call if it has not ended, so try-with-resources never leaks a stream.
 */
public interface CallerPipe extends AutoCloseable {

  /**
   * Sends a message, waiting while the plugin is slower than the test (flow control).
   *
   * @throws CallFailedException if the call has failed, was cancelled or passed its deadline
   * @throws IllegalStateException after {@link #closeSend()}, or once the function has returned
   */
  void send(byte[] message);

  /** {@link #send(byte[])}, encoded as UTF-8. */
  default void sendText(String message) {
    send(message.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Says the test will send nothing more; the plugin's {@code receive()} then returns null.
   * Idempotent.
   */
  void closeSend();

  /**
   * Waits for the plugin's next message.
   *
   * @return the message, or null once the plugin's function has returned normally and everything
   *     it sent has been received
   * @throws CallFailedException if the function threw, the call was cancelled or passed its
   *     deadline (messages sent before that are received first)
   */
  byte[] receive();

  /** {@link #receive()}, decoded from UTF-8; null at the end. */
  default String receiveText() {
    byte[] message = receive();
    return message == null ? null : new String(message, StandardCharsets.UTF_8);
  }

  /**
   * Ends the call now; the plugin's side sees it cancelled ({@code isCancelled()}, its {@code
   * onCancel} listeners, and {@code CallCancelledException} from its pipe). Does nothing if the
   * call already ended.
   */
  void cancel();

  /** Cancels the call if it has not ended; idempotent. */
  @Override
  void close();
}
