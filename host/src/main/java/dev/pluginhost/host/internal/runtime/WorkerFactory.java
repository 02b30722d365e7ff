package dev.pluginhost.host.internal.runtime;

/** Makes the processes of one plugin; each call spawns a new one. */
@FunctionalInterface
interface WorkerFactory {
  /** A new, not yet started worker; {@code generation} numbers them for logs and paths. */
  Worker create(int generation);
}
