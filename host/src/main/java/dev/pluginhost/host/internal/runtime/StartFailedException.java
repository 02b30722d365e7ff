package dev.pluginhost.host.internal.runtime;

import dev.pluginhost.host.ProcessDeath;

/** A plugin process did not come to serve; its death says how far it got and why. */
public final class StartFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient ProcessDeath death;

  StartFailedException(ProcessDeath death) {
    super(death.summary());
    this.death = death;
  }

  public ProcessDeath death() {
    return death;
  }
}
