package dev.pluginhost.host.cli;

import com.google.protobuf.ByteString;
import dev.pluginhost.proto.admin.v1.InvokeRequest;
import dev.pluginhost.proto.admin.v1.InvokeResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Calls one of a plugin's functions and prints what it answered. */
@Command(
    name = "invoke",
    mixinStandardHelpOptions = true,
    description = {
      "Calls a plugin's unary function and prints its output as it is (bytes, no newline added).",
      "The input is the INPUT argument, a file (--input-file) or standard input (--stdin); none means empty.",
      "A failed call prints the plugin's typed error (code, process, why) and exits 1."
    })
final class InvokeCommand extends AdminCommand {
  @Parameters(index = "0", paramLabel = "ID", description = "The plugin.")
  String id;

  @Parameters(index = "1", paramLabel = "FUNCTION", description = "The function.")
  String function;

  @Parameters(index = "2", arity = "0..1", paramLabel = "INPUT", description = "The input, as text (UTF-8).")
  String text;

  @Option(names = "--input-file", paramLabel = "FILE", description = "Read the input from a file.")
  Path file;

  @Option(names = "--stdin", description = "Read the input from standard input.")
  boolean stdin;

  @Override
  int run(AdminClient client) throws CommandFailedException {
    byte[] bytes = read();
    InvokeRequest request =
        InvokeRequest.newBuilder()
            .setId(id)
            .setFunction(function)
            .setInput(ByteString.copyFrom(bytes))
            // The plugin gets the whole timeout less a moment, so its error, not ours, comes back.
            .setTimeoutMillis(Math.max(1, options.timeout.minus(Duration.ofMillis(200)).toMillis()))
            .build();
    InvokeResponse response = client.blocking(options.timeout).invoke(request);
    if (options.json) {
      printJson(response);
      return 0;
    }
    try {
      response.getOutput().writeTo(out);
    } catch (IOException e) {
      throw new CommandFailedException("cannot write the output: " + e.getMessage());
    }
    out.flush();
    return 0;
  }

  private byte[] read() throws CommandFailedException {
    int sources = (text != null ? 1 : 0) + (file != null ? 1 : 0) + (stdin ? 1 : 0);
    if (sources > 1) {
      throw new ParameterException(spec.commandLine(), "give the input one way: INPUT, --input-file or --stdin");
    }
    try {
      if (file != null) {
        return Files.readAllBytes(file);
      }
      if (stdin) {
        return System.in.readAllBytes();
      }
      return text == null ? new byte[0] : text.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CommandFailedException("cannot read the input: " + e.getMessage());
    }
  }
}
