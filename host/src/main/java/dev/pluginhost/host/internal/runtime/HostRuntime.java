package dev.pluginhost.host.internal.runtime;

import com.google.common.util.concurrent.ListeningScheduledExecutorService;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.host.internal.classdata.ClassDataCache;
import dev.pluginhost.host.internal.services.HostServiceHub;
import dev.pluginhost.host.internal.spawn.Cgroups;
import dev.pluginhost.host.internal.spawn.OsLimits;
import dev.pluginhost.host.internal.spawn.ProcessLauncher;
import dev.pluginhost.host.internal.spawn.Sandbox;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What all plugins of one host share: the event loop for their sockets, a scheduler for timers,
 * the process launcher, and the directories spawns live in. Created at host start, closed at host
 * stop, after every plugin.
 */
public final class HostRuntime implements AutoCloseable {
  final EventLoopGroup eventLoops;
  final ListeningScheduledExecutorService scheduler;
  final ProcessLauncher launcher;
  final Path runnerJar;
  final Path socketRoot;
  final Path workRoot;
  final Path dataRoot;
  final Map<String, String> hostEnvironment;
  private volatile Sandbox.Availability sandbox;
  private volatile boolean sandboxProbed;
  final ClassDataCache classData;
  /** The host services plugins may be granted; the host connects them to its plugins and services. */
  public final HostServiceHub services;
  final OsLimits limits = OsLimits.probe();
  final Cgroups cgroups = Cgroups.probe();

  /**
   * @param socketRoot a private (0700) directory with a short path: Unix socket paths are limited
   *     to 107 bytes
   * @param workRoot where each plugin's working and temporary directories go
   * @param dataRoot where each plugin's data directory goes; it outlives restarts
   */
  public HostRuntime(
      ProcessLauncher launcher,
      Path runnerJar,
      Path socketRoot,
      Path workRoot,
      Path dataRoot,
      Map<String, String> hostEnvironment) {
    this.launcher = launcher;
    this.runnerJar = runnerJar;
    this.socketRoot = socketRoot;
    this.workRoot = workRoot;
    this.dataRoot = dataRoot;
    this.hostEnvironment = Map.copyOf(hostEnvironment);
    this.eventLoops = new MultiThreadIoEventLoopGroup(2, EpollIoHandler.newFactory());
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            2, new ThreadFactoryBuilder().setNameFormat("pluginhost-timer-%d").setDaemon(true).build());
    // Every call arms a timer for its call limit and cancels it when it ends: without this, a busy
    // host would keep every cancelled timer queued until its time came, minutes later.
    timers.setRemoveOnCancelPolicy(true);
    this.scheduler = MoreExecutors.listeningDecorator(timers);
    this.classData = new ClassDataCache(runnerJar, workRoot, socketRoot, eventLoops, hostEnvironment);
    // Beside the plugins' data directories; '.' is not allowed in a plugin id, so never one of them.
    this.services = new HostServiceHub(dataRoot.resolve(".stores"));
  }

  /** The sandbox on this machine, probed on first use. */
  Sandbox.Availability sandbox() {
    if (!sandboxProbed) {
      synchronized (this) {
        if (!sandboxProbed) {
          sandbox = Sandbox.probe();
          sandboxProbed = true;
        }
      }
    }
    return sandbox;
  }

  @Override
  public void close() {
    classData.close();
    services.close();
    if (launcher instanceof AutoCloseable) {
      try {
        ((AutoCloseable) launcher).close();
      } catch (Exception e) {
        // Closing a launcher only stops its thread.
      }
    }
    scheduler.shutdownNow();
    eventLoops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
