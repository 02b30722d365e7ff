package dev.pluginhost.host;

/** Why a plugin process ended. */
public enum DeathCause {
  /** It exited by itself, with an exit code (System.exit, Runtime.halt, a failed load). */
  EXITED,
  /** A signal the host did not send ended it (a native crash, the kernel, an outside kill). */
  SIGNALED,
  /**
   * The JVM itself crashed: a fatal error in native code (a segmentation fault in a library or
   * through {@code Unsafe}, a VM bug). The death's error report is the JVM's hs_err file and its
   * detail names the fault and the frame it happened in.
   */
  JVM_CRASH,
  /**
   * It ran out of memory: the JVM's heap, metaspace or direct memory (it exits, running with
   * -XX:+ExitOnOutOfMemoryError), or the memory limit of its cgroup (the kernel kills it).
   */
  OUT_OF_MEMORY,
  /** It used up its CPU time limit and the kernel ended it (SIGXCPU). */
  CPU_LIMIT,
  /**
   * It hit its limit of threads and processes together ({@link PluginSettings#maxTasks()}, a
   * cgroup pids limit): the kernel refused it a new thread or process. The kernel only refuses, so
   * the host kills it at its next health probe, unless it ended first by itself; a Java thread
   * bomb's "unable to create native thread" OutOfMemoryError is this cause, not
   * {@link #OUT_OF_MEMORY}. Only where the host can make pids cgroups. When the host killed a
   * process for another reason (a hung call, say) after it hit the limit, the death's detail says
   * so too.
   */
  TASK_LIMIT,
  /** The host killed it: a call ran past the plugin's call time limit. */
  KILLED_CALL_LIMIT,
  /** The host killed it: it stopped answering health probes within their deadline. */
  KILLED_UNRESPONSIVE,
  /** The host killed it: it did not start, handshake or run its start hook in time or correctly. */
  FAILED_START,
  /** The host ended it on purpose: the plugin or the host was stopped. */
  STOPPED_BY_HOST,
  /**
   * The host replaced it on purpose, after draining its calls: recycled after its call or age
   * limit, or restarted by an operator.
   */
  RETIRED;

  /** Whether the host ended the process on purpose, not because something went wrong. */
  public boolean wasPlanned() {
    return this == STOPPED_BY_HOST || this == RETIRED;
  }

  /**
   * Whether the host itself ended the process. Not {@link #TASK_LIMIT}, which the host usually
   * but not always ends: like the other limits, it is the plugin's doing.
   */
  public boolean killedByHost() {
    return this == KILLED_CALL_LIMIT
        || this == KILLED_UNRESPONSIVE
        || this == FAILED_START
        || this == STOPPED_BY_HOST
        || this == RETIRED;
  }
}
