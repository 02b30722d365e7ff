package dev.pluginhost.host.cli;

import com.google.protobuf.ByteString;
import dev.pluginhost.host.internal.catalog.PluginCatalog;
import dev.pluginhost.host.internal.catalog.PluginDescriptor;
import dev.pluginhost.proto.admin.v1.InstallPluginRequest;
import dev.pluginhost.proto.admin.v1.LifecycleRequest;
import dev.pluginhost.proto.admin.v1.PluginEvent;
import dev.pluginhost.proto.admin.v1.PluginStatus;
import dev.pluginhost.proto.admin.v1.RemovePluginResponse;
import dev.pluginhost.proto.admin.v1.UpgradePluginRequest;
import dev.pluginhost.proto.admin.v1.WatchEventsRequest;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** install, upgrade and remove: changing which plugins a running server has. */
final class JarCommands {
  private JarCommands() {}

  /** The descriptor of a local jar, or the reason it is no usable plugin. */
  static PluginDescriptor describe(Path jar) throws AdminCommand.CommandFailedException {
    try {
      return PluginCatalog.describe(jar.toAbsolutePath());
    } catch (IllegalArgumentException | IOException e) {
      throw new AdminCommand.CommandFailedException(jar + ": " + e.getMessage());
    }
  }

  static byte[] read(Path jar) throws AdminCommand.CommandFailedException {
    try {
      return Files.readAllBytes(jar);
    } catch (IOException e) {
      throw new AdminCommand.CommandFailedException("cannot read " + jar + ": " + e.getMessage());
    }
  }

  /**
   * Shows plugin {@code id}'s state changes on stderr while {@code work} runs, so a long install
   * or upgrade shows progress; returns what the work returned.
   */
  static <T> T withProgress(AdminClient client, String id, boolean quiet, java.util.function.Supplier<T> work) {
    long started = System.nanoTime();
    Context.CancellableContext watching = Context.current().withCancellation();
    if (!quiet) {
      watching.run(() -> client.async().watchEvents(
          WatchEventsRequest.newBuilder().setId(id).setFollow(true).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(PluginEvent event) {
              System.err.println("  " + Formats.duration(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)) + "  "
                  + id + " " + event.getFrom() + " -> " + event.getTo() + ": " + event.getReason());
            }

            @Override
            public void onError(Throwable t) {}

            @Override
            public void onCompleted() {}
          }));
    }
    try {
      return work.get();
    } finally {
      watching.cancel(null);
    }
  }

  @Command(
      name = "install",
      mixinStandardHelpOptions = true,
      description = {
        "Checks a plugin jar (its descriptor, id and API range), then adds it to the server and starts it.",
        "The server keeps the jar in its plugins directory, so the plugin is there after a restart too.",
        "Refused, with the reason, when the id is taken or the jar is no usable plugin."
      })
  static final class Install extends AdminCommand {
    @Parameters(paramLabel = "JAR", description = "The plugin jar.")
    Path jar;

    @Override
    int run(AdminClient client) throws CommandFailedException {
      PluginDescriptor descriptor = describe(jar);
      byte[] bytes = read(jar);
      PluginStatus status =
          withProgress(client, descriptor.id(), options.json, () -> client.blocking(options.timeout).installPlugin(
              InstallPluginRequest.newBuilder().setJar(ByteString.copyFrom(bytes)).setFileName(jar.toString()).build()));
      if (options.json) {
        printJson(status);
      } else {
        out.println("installed " + status.getId() + " " + status.getVersion() + ": " + LifecycleCommand.summary(status));
      }
      return 0;
    }
  }

  @Command(
      name = "upgrade",
      mixinStandardHelpOptions = true,
      description = {
        "Replaces a plugin's code with a new jar, failing no call: the new version starts beside the old,",
        "takes the calls once it serves, and the old one drains. If the new version does not start,",
        "the old one serves on and the command says why (exit 1)."
      })
  static final class Upgrade extends AdminCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The plugin.")
    String id;

    @Parameters(index = "1", paramLabel = "JAR", description = "The new version's jar.")
    Path jar;

    @Override
    int run(AdminClient client) throws CommandFailedException {
      PluginDescriptor descriptor = describe(jar);
      if (!descriptor.id().equals(id)) {
        throw new CommandFailedException(jar + " holds plugin '" + descriptor.id() + "', not '" + id + "'");
      }
      byte[] bytes = read(jar);
      PluginStatus status =
          withProgress(client, id, options.json, () -> client.blocking(options.timeout).upgradePlugin(
              UpgradePluginRequest.newBuilder().setId(id).setJar(ByteString.copyFrom(bytes)).setFileName(jar.toString()).build()));
      if (options.json) {
        printJson(status);
      } else {
        out.println("upgraded " + id + " to " + status.getVersion() + ": " + LifecycleCommand.summary(status));
      }
      return 0;
    }
  }

  @Command(
      name = "remove",
      mixinStandardHelpOptions = true,
      description = "Stops a plugin, draining its calls, and deletes it from the server's plugins directory.")
  static final class Remove extends AdminCommand {
    @Parameters(paramLabel = "ID", description = "The plugin.")
    String id;

    @Override
    int run(AdminClient client) {
      RemovePluginResponse removed =
          withProgress(client, id, options.json, () -> client.blocking(options.timeout).removePlugin(LifecycleRequest.newBuilder().setId(id).build()));
      if (options.json) {
        printJson(removed);
      } else {
        out.println("removed " + id + " " + removed.getLast().getVersion());
      }
      return 0;
    }
  }
}
