package dev.pluginhost.runner.internal;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.RunnerBootstrap;
import dev.pluginhost.runner.internal.services.HostConnection;
import dev.pluginhost.runner.internal.services.HostServicesAccess;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One plugin JVM's server: binds the socket, serves the plugin, and ends the JVM when told to or
 * when the host is gone. The JVM exists for this plugin alone, so ending means halting it.
 */
public final class Runner {
  /** Exit status when the plugin cannot even be loaded. */
  static final int EXIT_LOAD_FAILED = 3;

  // Held strongly: JUL forgets a logger's level when nothing references the logger.
  private static final Logger NETTY_BOOTSTRAP_LOGGER =
      Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");
  // In a sandbox with no network, Netty warns that it found no hardware address; it needs none.
  private static final Logger NETTY_MAC_LOGGER =
      Logger.getLogger("io.grpc.netty.shaded.io.netty.util.internal.MacAddressUtil");

  private final RunnerBootstrap bootstrap;
  private final int protocolVersion;
  private final byte[] token;
  private final PrintStream diagnostics;
  private final System.Logger pluginLogger;
  private LoadedPlugin plugin;
  private EventLoopGroup eventLoops;
  private ExecutorService handlers;
  private Server server;
  private RunnerService service;
  private HostServicesAccess hostServices;

  public Runner(RunnerBootstrap bootstrap, int protocolVersion) {
    this.bootstrap = bootstrap;
    this.protocolVersion = protocolVersion;
    this.token = bootstrap.getAuthToken().toByteArray();
    // The original stderr, kept even if the plugin replaces System.err.
    this.diagnostics = System.err;
    this.pluginLogger = new StderrLogger(bootstrap.getPluginId(), diagnostics);
    // Every Unix-socket channel warns that SO_KEEPALIVE does not apply; it is noise.
    NETTY_BOOTSTRAP_LOGGER.setLevel(Level.SEVERE);
    NETTY_MAC_LOGGER.setLevel(Level.SEVERE);
  }

  /** Loads the plugin's jars, binds the socket, reports ready, and serves until the JVM ends. */
  public void serve() throws Exception {
    try {
      plugin = LoadedPlugin.open(bootstrap.getPluginId(), bootstrap.getPluginClasspathList());
    } catch (Exception e) {
      diagnostics.println("pluginhost-runner: cannot load plugin " + bootstrap.getPluginId() + ": " + e.getMessage());
      halt(EXIT_LOAD_FAILED);
    }
    eventLoops = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    handlers =
        Executors.newCachedThreadPool(
            new ThreadFactoryBuilder().setNameFormat("pluginhost-call-%d").setDaemon(true).build());
    hostServices =
        new HostServicesAccess(
            bootstrap.getPluginId(),
            java.util.Set.copyOf(bootstrap.getGrantsList()),
            new HostConnection(bootstrap.getHostServicesSocket(), token, eventLoops, bootstrap.getMaxMessageBytes()));
    service = new RunnerService(this, handlers);
    TokenInterceptor tokens = new TokenInterceptor(token);
    server =
        NettyServerBuilder.forAddress(new DomainSocketAddress(bootstrap.getSocketPath()))
            .channelFactory(() -> HostOnlyGate.guardedServerChannel(bootstrap.getHostPeerPid(), diagnostics))
            .bossEventLoopGroup(eventLoops)
            .workerEventLoopGroup(eventLoops)
            // Handlers are called on the event loop; RunnerService moves every piece of plugin
            // code onto the handler pool, and answers handshakes and health probes in place.
            .directExecutor()
            .maxInboundMessageSize(
                bootstrap.getMaxMessageBytes() > 0 ? bootstrap.getMaxMessageBytes() : 4 * 1024 * 1024)
            .addService(ServerInterceptors.intercept(service, tokens))
            .build()
            .start();
    System.out.println(WireProtocol.READY_LINE);
    System.out.flush();
    server.awaitTermination();
  }

  /** The largest message the runner accepts, as the bootstrap set it; 0 for gRPC's default. */
  int maxMessageBytes() {
    return bootstrap.getMaxMessageBytes();
  }

  int protocolVersion() {
    return protocolVersion;
  }

  byte[] token() {
    return token;
  }

  HostServicesAccess hostServices() {
    return hostServices;
  }

  LoadedPlugin plugin() {
    return plugin;
  }

  System.Logger pluginLogger() {
    return pluginLogger;
  }

  Path dataDirectory() {
    return Path.of(bootstrap.getDataDirectory());
  }

  /**
   * Ends the JVM with code 3, as -XX:+ExitOnOutOfMemoryError does, when the plugin's code threw an
   * OutOfMemoryError. That flag covers only the errors the VM raises itself; running out of direct
   * memory is thrown by library code, and would otherwise leave the plugin limping on.
   */
  void exitIfOutOfMemory(Throwable thrown) {
    if (thrown instanceof OutOfMemoryError) {
      diagnostics.println("Terminating due to " + thrown);
      // At once, with no goodbye to the host: a GOAWAY first would fail the calls in flight as a
      // closed connection before the host learns of the death, which names the reason. Shutting the
      // event loops down first would also need threads a JVM out of memory may not get.
      diagnostics.flush();
      Runtime.getRuntime().halt(3);
    }
  }

  void log(String message, Throwable thrown) {
    synchronized (diagnostics) {
      diagnostics.println("pluginhost-runner: " + message + ": " + thrown);
      thrown.printStackTrace(diagnostics);
    }
  }

  /**
   * Stops taking calls, runs the plugin's stop hook for at most {@code grace}, and ends the JVM.
   * Returns at once; the work happens on a thread of its own.
   */
  void shutdownGracefully(Duration grace) {
    Thread thread =
        new Thread(
            () -> {
              server.shutdown();
              Plugin current = service.plugin();
              if (current != null) {
                Thread stopHook =
                    new Thread(
                        () -> {
                          Thread.currentThread().setContextClassLoader(plugin.classLoader);
                          try {
                            current.stop();
                          } catch (Throwable t) {
                            log("stop hook failed", t);
                          }
                        },
                        "pluginhost-stop-hook");
                stopHook.setDaemon(true);
                stopHook.start();
                try {
                  stopHook.join(Math.max(1, grace.toMillis()));
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              // The stop hook's structured records, within what is left of the grace.
              hostServices.flushLog(Duration.ofMillis(Math.max(100, grace.toMillis() / 4)));
              try {
                // Lets the Shutdown response and any call finishing now reach the host.
                server.awaitTermination(100, TimeUnit.MILLISECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              halt(0);
            },
            "pluginhost-shutdown");
    thread.setDaemon(true);
    thread.start();
  }

  /** Called when stdin closes: the host is gone, nobody will call again. Ends the JVM now. */
  public void exitBecauseHostIsGone() {
    diagnostics.println("pluginhost-runner: the host is gone; exiting");
    halt(0);
  }

  /**
   * Ends the JVM without running the plugin's shutdown hooks or waiting for its threads. The
   * event loop is shut down first: HotSpot otherwise waits for threads parked in epoll, which
   * made exiting take about 300 ms instead of a few.
   */
  private void halt(int status) {
    try {
      if (server != null) {
        server.shutdownNow();
      }
      if (eventLoops != null) {
        eventLoops.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).await(200, TimeUnit.MILLISECONDS);
      }
    } catch (Throwable t) {
      // Exiting matters more than a clean exit.
    } finally {
      diagnostics.flush();
      Runtime.getRuntime().halt(status);
    }
  }
}
