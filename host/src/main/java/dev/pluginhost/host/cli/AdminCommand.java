package dev.pluginhost.host.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import io.grpc.StatusRuntimeException;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that talks to a running server. Exit codes: 0 when it did what was asked, 1 when the
 * server refused or could not be reached (the message says which), 2 for usage (picocli's).
 */
abstract class AdminCommand implements Callable<Integer> {
  private static final JsonFormat.Printer ONE_LINE =
      JsonFormat.printer().alwaysPrintFieldsWithNoPresence().omittingInsignificantWhitespace();

  @Mixin AdminOptions options;
  @Spec CommandSpec spec;

  final PrintStream out = System.out;

  @Override
  public final Integer call() {
    // Quiet: the CLI prints its own story; gRPC's and Netty's logs are for the server.
    java.util.logging.Logger.getLogger("io.grpc").setLevel(java.util.logging.Level.OFF);
    AdminClient client;
    try {
      client = AdminClient.open(options);
    } catch (AdminClient.ServerNotRunningException | IllegalArgumentException e) {
      return fail(e.getMessage());
    }
    try (client) {
      return run(client);
    } catch (StatusRuntimeException e) {
      return fail(client.describe(e));
    } catch (CommandFailedException e) {
      return fail(e.getMessage());
    }
  }

  /** Does the command's work; returns the exit code. */
  abstract int run(AdminClient client) throws CommandFailedException;

  final int fail(String message) {
    System.err.println("pluginhost " + spec.name() + ": " + message);
    return 1;
  }

  /** Prints {@code message} as one line of JSON. */
  final void printJson(MessageOrBuilder message) {
    try {
      out.println(ONE_LINE.print(message));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The command could not do what was asked; the message says why. */
  static final class CommandFailedException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandFailedException(String message) {
      super(message);
    }
  }
}
