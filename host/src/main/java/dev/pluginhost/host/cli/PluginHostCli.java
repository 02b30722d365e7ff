package dev.pluginhost.host.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code pluginhost} launcher: {@code java -jar pluginhost.jar COMMAND}. */
@Command(
    name = "pluginhost",
    mixinStandardHelpOptions = true,
    versionProvider = Versions.class,
    description = "Runs untrusted plugins, each in its own clean JVM, and keeps them serving.",
    subcommands = {
      DemoCommand.class, ServeCommand.class, ListCommand.class, StatusCommand.class,
      LifecycleCommand.Start.class, LifecycleCommand.Stop.class, LifecycleCommand.Restart.class,
      LifecycleCommand.Enable.class, LifecycleCommand.Disable.class, LogsCommand.class, EventsCommand.class,
      InvokeCommand.class, JarCommands.Install.class, JarCommands.Upgrade.class, JarCommands.Remove.class,
      VerifyCommand.class, MetricsCommand.class,
      DoctorCommand.class, CommandLine.HelpCommand.class})
public final class PluginHostCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    // gRPC asks every Unix-socket channel for SO_KEEPALIVE, which does not apply to them, and
    // Netty warns each time; set before the first logger exists.
    System.setProperty("org.slf4j.simpleLogger.log.io.grpc.netty.shaded.io.netty.bootstrap", "error");
    System.exit(new CommandLine(new PluginHostCli()).execute(args));
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
  }
}
