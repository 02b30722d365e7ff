package dev.pluginhost.host.internal;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.UncheckedExecutionException;
import dev.pluginhost.host.PluginCallException;
import java.util.concurrent.Future;

/** Waits for a future that fails only with {@link PluginCallException}s, rethrowing them as is. */
public final class CallFutures {
  private CallFutures() {}

  /**
   * Returns the future's value, or throws the {@link PluginCallException} it failed with. Every
   * call's future completes by the call's deadline, so this never waits forever. Not
   * interruptible, like {@link Futures#getUnchecked}.
   */
  public static <T> T await(Future<T> future) {
    try {
      return Futures.getUnchecked(future);
    } catch (UncheckedExecutionException e) {
      if (e.getCause() instanceof PluginCallException) {
        throw (PluginCallException) e.getCause();
      }
      throw e;
    }
  }
}
