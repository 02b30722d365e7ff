package dev.pluginhost.host;

/**
 * The host's end of a two-way stream with a plugin's streaming function, opened by
 * {@link PluginHandle#openPipe}. Messages arrive and leave in order.
 *
 * <p>One thread may receive while another sends. Every blocking method returns or throws by the
 * call's deadline. Failures are {@link PluginCallException}s, like a unary call's. Closing the
 * pipe cancels the call if it has not ended, so try-with-resources never leaks a stream.
 */
public interface PluginPipe extends AutoCloseable {

  /**
   * Sends a message, waiting while the plugin is slower than the caller (flow control).
   *
   * @throws PluginCallException if the call has already ended, failed or passed its deadline
   * @throws IllegalStateException after {@link #closeSend()}
   */
  void send(byte[] message);

  /** Says the caller will send nothing more; the plugin's {@code receive()} then returns null. */
  void closeSend();

  /**
   * Waits for the plugin's next message.
   *
   * @return the message, or null once the plugin's function has returned normally
   * @throws PluginCallException if the call failed, was cancelled or passed its deadline
   */
  byte[] receive();

  /** Ends the call now; the plugin's side sees it cancelled. Does nothing if it already ended. */
  void cancel();

  /** Cancels the call if it has not ended; idempotent. */
  @Override
  void close();
}
