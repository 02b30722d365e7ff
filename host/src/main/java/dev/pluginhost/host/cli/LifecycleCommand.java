package dev.pluginhost.host.cli;

import dev.pluginhost.proto.admin.v1.LifecycleRequest;
import dev.pluginhost.proto.admin.v1.PluginAdminGrpc;
import dev.pluginhost.proto.admin.v1.PluginRef;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.ProcessStatus;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * start, stop, restart, enable and disable: one plugin's lifecycle, asked of the server. With
 * {@code --wait}, waits until the change is complete, showing each state the plugin passes
 * through on stderr.
 */
abstract class LifecycleCommand extends AdminCommand {
  private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

  @Parameters(paramLabel = "ID", description = "The plugin.")
  String id;

  @Option(names = "--wait", description = "Wait until it is done (within --timeout), showing progress.")
  boolean waitForIt;

  private final String verb;
  private final BiFunction<PluginAdminGrpc.PluginAdminBlockingStub, LifecycleRequest, PluginStatus> action;

  LifecycleCommand(String verb, BiFunction<PluginAdminGrpc.PluginAdminBlockingStub, LifecycleRequest, PluginStatus> action) {
    this.verb = verb;
    this.action = action;
  }

  @Override
  int run(AdminClient client) throws CommandFailedException {
    LifecycleRequest request = LifecycleRequest.newBuilder().setId(id).setWait(waitForIt).build();
    PluginStatus status;
    if (!waitForIt) {
      status = action.apply(client.blocking(options.timeout), request);
    } else {
      status = waitShowingProgress(client, request);
    }
    if (options.json) {
      printJson(status);
    } else {
      out.println(id + " " + verb + ": " + summary(status));
    }
    return 0;
  }

  private PluginStatus waitShowingProgress(AdminClient client, LifecycleRequest request) throws CommandFailedException {
    long started = System.nanoTime();
    CompletableFuture<PluginStatus> done =
        CompletableFuture.supplyAsync(() -> action.apply(client.blocking(options.timeout), request));
    String shown = "";
    while (true) {
      try {
        return done.get(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillWaiting) {
        String now;
        try {
          now = summary(client.blocking(options.timeout).getPlugin(PluginRef.newBuilder().setId(id).build()));
        } catch (StatusRuntimeException e) {
          continue;
        }
        if (!now.equals(shown) && !options.json) {
          System.err.println("  " + Formats.duration(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)) + "  " + id + ": " + now);
          shown = now;
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof StatusRuntimeException) {
          throw (StatusRuntimeException) e.getCause();
        }
        throw new CommandFailedException(String.valueOf(e.getCause()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CommandFailedException("interrupted");
      }
    }
  }

  /** {@code RUNNING (pids 123, 456)}. */
  static String summary(PluginStatus status) {
    List<String> pids = status.getProcessesList().stream().map(ProcessStatus::getPid).filter(pid -> pid > 0).map(String::valueOf).toList();
    return status.getState() + (pids.isEmpty() ? "" : " (pid" + (pids.size() > 1 ? "s " : " ") + String.join(", ", pids) + ")");
  }

  @Command(name = "start", mixinStandardHelpOptions = true,
      description = "Starts a stopped, disabled or failed plugin now (not remembered across server restarts; see enable).")
  static final class Start extends LifecycleCommand {
    Start() {
      super("start", PluginAdminGrpc.PluginAdminBlockingStub::startPlugin);
    }
  }

  @Command(name = "stop", mixinStandardHelpOptions = true,
      description = "Stops a plugin's processes now, draining their calls (not remembered across server restarts; see disable).")
  static final class Stop extends LifecycleCommand {
    Stop() {
      super("stop", PluginAdminGrpc.PluginAdminBlockingStub::stopPlugin);
    }
  }

  @Command(name = "restart", mixinStandardHelpOptions = true,
      description = "Replaces every process of a plugin, new before old, failing no call; from FAILED, starts it afresh.")
  static final class Restart extends LifecycleCommand {
    Restart() {
      super("restart", PluginAdminGrpc.PluginAdminBlockingStub::restartPlugin);
    }
  }

  @Command(name = "enable", mixinStandardHelpOptions = true,
      description = "Starts a plugin and remembers it is enabled across server restarts.")
  static final class Enable extends LifecycleCommand {
    Enable() {
      super("enable", PluginAdminGrpc.PluginAdminBlockingStub::enablePlugin);
    }
  }

  @Command(name = "disable", mixinStandardHelpOptions = true,
      description = "Stops a plugin and remembers it is disabled across server restarts.")
  static final class Disable extends LifecycleCommand {
    Disable() {
      super("disable", PluginAdminGrpc.PluginAdminBlockingStub::disablePlugin);
    }
  }
}
