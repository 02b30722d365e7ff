package dev.pluginhost.host.server;

import com.google.common.util.concurrent.AbstractIdleService;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A host server: a {@link PluginHost} over the configured plugins directory, and the admin API
 * an operator drives it with. Plugins an operator disabled stay disabled across restarts.
 *
 * <p>A Guava service. {@link #startAsync()} starts the plugins (a plugin failing to start never
 * fails the server) and then opens the admin socket; {@link #stopAsync()} stops taking admin
 * calls, drains and stops every plugin within its grace, then closes the socket. Like every Guava
 * service, a stopped server never starts again.
 */
public final class HostServer extends AbstractIdleService {
  private static final Logger log = LoggerFactory.getLogger(HostServer.class);
  private static final Duration HOST_START = Duration.ofMinutes(5);
  private static final Duration HOST_STOP = Duration.ofMinutes(2);

  private final ServerConfig config;
  private PluginHost host;
  private AdminServer admin;
  private EventHub events;

  public HostServer(ServerConfig config) {
    this.config = config;
  }

  /** The host; null before start. */
  public PluginHost host() {
    return host;
  }

  /** The loopback TCP port of the admin API, or 0 when it has none. Valid once running. */
  public int adminTcpPort() {
    return admin == null ? 0 : admin.tcpPort();
  }

  @Override
  protected void startUp() throws Exception {
    if (!Files.isDirectory(config.pluginsDirectory())) {
      throw new IllegalStateException("the plugins directory " + config.pluginsDirectory() + " does not exist");
    }
    // Before any plugin starts: a second server on the same state would run each plugin twice
    // over the same data directories, only to stop them again when it cannot bind the socket.
    AdminServer.checkNotServed(config.adminSocket());
    Files.createDirectories(config.dataDirectory());
    EnabledPlugins enabled = EnabledPlugins.open(config.dataDirectory().resolve("disabled-plugins"));
    PluginHost.Builder builder =
        PluginHost.builder()
            .pluginsDirectory(config.pluginsDirectory())
            .dataDirectory(config.dataDirectory().resolve("plugins"))
            .defaults(config.defaults())
            .startDisabled(enabled.disabled());
    for (Map.Entry<String, PluginSettings> plugin : config.plugins().entrySet()) {
      builder.plugin(plugin.getKey(), plugin.getValue());
    }
    events = new EventHub();
    builder.addListener(events::onEvent, com.google.common.util.concurrent.MoreExecutors.directExecutor());
    host = builder.build();
    host.startAsync().awaitRunning(HOST_START.toMillis(), TimeUnit.MILLISECONDS);
    admin = new AdminServer(config.adminSocket(), config.adminTcpPort(), config.adminTokenFile(), new AdminService(host, enabled, events, new PluginJars(config.pluginsDirectory())));
    try {
      admin.start();
    } catch (Exception e) {
      host.stopAsync().awaitTerminated(HOST_STOP.toMillis(), TimeUnit.MILLISECONDS);
      throw e;
    }
    log.info("admin API on {}{}", config.adminSocket(), admin.tcpPort() > 0 ? " and 127.0.0.1:" + admin.tcpPort() : "");
  }

  @Override
  protected void shutDown() throws Exception {
    if (admin != null) {
      admin.shutdown();
    }
    try {
      if (host != null) {
        host.stopAsync().awaitTerminated(HOST_STOP.toMillis(), TimeUnit.MILLISECONDS);
      }
    } finally {
      if (events != null) {
        events.completeAll();
      }
      if (admin != null) {
        admin.shutdownNow(5, TimeUnit.SECONDS);
      }
    }
  }

  @Override
  protected String serviceName() {
    return "HostServer[" + config.pluginsDirectory() + "]";
  }

  /** Where the server's admin socket is. */
  public Path adminSocket() {
    return config.adminSocket();
  }
}
