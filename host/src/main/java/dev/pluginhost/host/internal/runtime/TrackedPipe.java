package dev.pluginhost.host.internal.runtime;

import com.google.common.util.concurrent.ListenableFuture;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginPipe;

/** A pipe whose end the supervisor can wait for, to know when its process is free again. */
interface TrackedPipe extends PluginPipe {
  /** Completes once the stream has ended, however it ended. */
  ListenableFuture<?> completion();

  /** Why the stream ended, once {@link #completion()} has completed; null if it ended normally. */
  PluginCallException failure();
}
