package dev.pluginhost.host;

/**
 * Whether a plugin's JVM runs inside an operating-system sandbox (bubblewrap): its own PID, network,
 * IPC and user namespaces, no network but a loopback of its own, a read-only view of the few system
 * paths a JVM needs, and write access only to its own work, temporary and data directories.
 */
public enum SandboxMode {
  /** Always sandboxed; the plugin refuses to start, saying why, where the sandbox is not available. */
  REQUIRED,
  /** Sandboxed where the sandbox works on this machine; where not, the host says so once and runs it bare. */
  AUTO,
  /** Never sandboxed: the plugin runs as a bare process with the host's user rights. */
  OFF
}
