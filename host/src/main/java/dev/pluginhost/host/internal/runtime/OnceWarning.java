package dev.pluginhost.host.internal.runtime;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A warning worth saying once per JVM, not once per spawn. */
final class OnceWarning {
  private static final Logger log = LoggerFactory.getLogger(OnceWarning.class);
  private final String format;
  private final AtomicBoolean said = new AtomicBoolean();

  OnceWarning(String format) {
    this.format = format;
  }

  void warnOnce(Object argument) {
    if (said.compareAndSet(false, true)) {
      log.warn(format, argument);
    }
  }
}
