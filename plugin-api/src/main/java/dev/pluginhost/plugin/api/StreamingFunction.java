package dev.pluginhost.plugin.api;

/**
 * A function that exchanges messages with its caller in both directions over one {@link Pipe},
 * like the two ends of Python's {@code multiprocessing.Pipe}.
 *
 * <p>The call lasts as long as this method runs: returning normally ends it successfully (after
 * everything sent has been delivered); throwing ends it with that exception's class and message.
 * Runs on a thread of its own; several calls may run at once.
 */
@FunctionalInterface
public interface StreamingFunction {
  /**
   * Serves one streaming call.
   *
   * @param call the call's deadline, cancellation and metadata
   * @param pipe this call's end of the pipe
   */
  void run(CallContext call, Pipe pipe) throws Exception;
}
