package dev.pluginhost.host.internal.runtime;

import dev.pluginhost.host.ProcessDeath;
import com.google.common.util.concurrent.ListenableFuture;

/** A call or stream under way on one process, which the process fails if it dies. */
interface InFlight {
  /** Ends the call, unless it has already ended, because its process died. */
  void processDied(ProcessDeath death);

  /** Completes, one way or another, when the call has ended. */
  ListenableFuture<?> completion();
}
