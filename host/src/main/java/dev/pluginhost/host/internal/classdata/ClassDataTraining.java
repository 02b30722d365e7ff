package dev.pluginhost.host.internal.classdata;

import com.google.common.util.concurrent.SettableFuture;
import com.google.protobuf.ByteString;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.internal.Directories;
import dev.pluginhost.host.internal.runtime.RunnerClient;
import dev.pluginhost.host.internal.spawn.ClassDataArchive;
import dev.pluginhost.host.internal.spawn.JvmCommand;
import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.GetStatsRequest;
import dev.pluginhost.proto.runner.v1.InvokeBatchRequest;
import dev.pluginhost.proto.runner.v1.InvokeRequest;
import dev.pluginhost.proto.runner.v1.PipeFrame;
import dev.pluginhost.proto.runner.v1.PipeOpen;
import dev.pluginhost.proto.runner.v1.RunnerBootstrap;
import dev.pluginhost.proto.runner.v1.ShutdownRequest;
import dev.pluginhost.proto.runner.v1.StartPluginRequest;
import io.grpc.Deadline;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.StreamObserver;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * One training run: a plugin JVM started exactly as the host starts plugins (same JDK, options and
 * runner jar; no sandbox, since it runs only the runner and {@link TrainingPlugin}), taken through
 * the handshake, the start hook, unary, batch and streaming calls, the health probe and a
 * shutdown, after which the JVM writes its class-data archive. The archive is written to a
 * temporary file and moved into place only when the JVM exited cleanly, so a reader never sees a
 * half-written one.
 */
final class ClassDataTraining {
  private static final int CALLS = 300;
  private static final int OUTPUT_LINES_KEPT = 40;
  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");
  /** Whether this machine's setpriv has --pdeathsig (util-linux 2.33 and later); asked once. */
  private static final com.google.common.base.Supplier<Boolean> SETPRIV_WORKS =
      com.google.common.base.Suppliers.memoize(ClassDataTraining::setprivHasPdeathsig);

  private final ClassDataArchive archive;
  private final PluginSettings settings;
  private final Path runnerJar;
  private final Path workRoot;
  private final Path socketRoot;
  private final EventLoopGroup eventLoops;
  private final Map<String, String> environment;
  private final Deque<String> output = new ArrayDeque<>();

  ClassDataTraining(
      ClassDataArchive archive,
      PluginSettings settings,
      Path runnerJar,
      Path workRoot,
      Path socketRoot,
      EventLoopGroup eventLoops,
      Map<String, String> environment) {
    this.archive = archive;
    this.settings = settings;
    this.runnerJar = runnerJar;
    this.workRoot = workRoot;
    this.socketRoot = socketRoot;
    this.eventLoops = eventLoops;
    this.environment = environment;
  }

  /**
   * Runs the training JVM, handing it to {@code started} as soon as it exists (so that it can be
   * killed from outside), and moves the finished archive into place.
   *
   * @throws IOException saying what went wrong, with the JVM's last lines of output
   */
  void run(Consumer<Process> started, long timeoutMillis) throws IOException, InterruptedException {
    Files.createDirectories(workRoot);
    Files.createDirectories(socketRoot);
    Path work = Files.createTempDirectory(workRoot, "class-data-");
    Path socketDirectory = Files.createTempDirectory(socketRoot, "cds-");
    Path temporary =
        archive.file().resolveSibling(
            archive.file().getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
    Process process = null;
    try {
      Path tmp = Files.createDirectory(work.resolve("tmp"));
      Path data = Files.createDirectory(work.resolve("data"));
      Path jar = TrainingJar.write(work.resolve("training.jar"));
      Path socket = socketDirectory.resolve("r.sock");
      List<String> command = new ArrayList<>();
      if (SETPRIV_WORKS.get()) {
        // Killed outright if the host dies: a JVM left to exit on its own would first spend a
        // second writing an archive nobody will move into place.
        command.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL"));
      }
      command.addAll(JvmCommand.command(settings, runnerJar, tmp, archive.createOptions(temporary)));
      ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile()).redirectErrorStream(true);
      builder.environment().clear();
      builder.environment().putAll(environment);
      process = builder.start();
      started.accept(process);
      SettableFuture<Void> ready = SettableFuture.create();
      readOutput(process, ready);
      byte[] token = RunnerClient.newToken();
      try (OutputStream stdin = process.getOutputStream()) {
        RunnerBootstrap.newBuilder()
            .setProtocolVersion(WireProtocol.VERSION)
            .setSocketPath(socket.toString())
            .setAuthToken(ByteString.copyFrom(token))
            .setPluginId(TrainingPlugin.ID)
            .addPluginClasspath(jar.toString())
            .setDataDirectory(data.toString())
            .setMaxMessageBytes(settings.maxMessageBytes())
            .setHostPeerPid(ProcessHandle.current().pid())
            .build()
            .writeDelimitedTo(stdin);
        stdin.flush();
        Deadline deadline = Deadline.after(timeoutMillis, TimeUnit.MILLISECONDS);
        await(ready, deadline, "report ready");
        exercise(RunnerClient.connect(socket, token, process.pid(), eventLoops), deadline);
        // The lifeline stays open until the JVM has exited, as a host's does: the runner exits on
        // the Shutdown call, and writes the archive as it does.
        if (!process.waitFor(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS)) {
          throw failure("did not exit within " + timeoutMillis + " ms of starting");
        }
      }
      if (process.exitValue() != 0 || !Files.isRegularFile(temporary) || Files.size(temporary) == 0) {
        throw failure("exited with code " + process.exitValue() + " without writing " + temporary);
      }
      try {
        Files.move(temporary, archive.file(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(temporary, archive.file(), StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      if (process != null) {
        // Java 25 assembles its cache in a child JVM of its own, which a kill of the parent spares.
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive()) {
          process.destroyForcibly();
          process.waitFor(5, TimeUnit.SECONDS);
        }
      }
      Files.deleteIfExists(temporary);
      Files.deleteIfExists(temporary.resolveSibling(temporary.getFileName() + ".config"));
      Directories.deleteQuietly(work);
      Directories.deleteQuietly(socketDirectory);
    }
  }

  /** Every kind of call a host makes, a few hundred times, then a shutdown. */
  private void exercise(RunnerClient client, Deadline deadline) throws IOException, InterruptedException {
    try {
      await(client.handshake(WireProtocol.VERSION, deadline), deadline, "answer the handshake");
      await(client.futureStub().withDeadline(deadline).startPlugin(StartPluginRequest.getDefaultInstance()),
          deadline, "start the training plugin");
      ByteString input = ByteString.copyFromUtf8("7");
      for (int i = 0; i < CALLS; i++) {
        String function = i % 3 == 0 ? "echoText" : "echo";
        await(client.futureStub().withDeadline(deadline)
                .invoke(InvokeRequest.newBuilder().setFunction(function).setInput(input).build()),
            deadline, "answer a call");
      }
      await(client.futureStub().withDeadline(deadline)
              .invokeBatch(InvokeBatchRequest.newBuilder().setFunction("echo").addInputs(input).addInputs(input).build()),
          deadline, "answer a batch");
      pipe(client, deadline);
      await(client.futureStub().withDeadline(deadline).getStats(GetStatsRequest.getDefaultInstance()),
          deadline, "answer a health probe");
      await(client.futureStub().withDeadline(deadline).shutdown(ShutdownRequest.newBuilder().setGraceMillis(100).build()),
          deadline, "accept the shutdown");
    } finally {
      client.close();
    }
  }

  private void pipe(RunnerClient client, Deadline deadline) throws IOException, InterruptedException {
    SettableFuture<Void> finished = SettableFuture.create();
    StreamObserver<PipeFrame> requests =
        client.asyncStub().withDeadline(deadline).pipe(
            new StreamObserver<>() {
              @Override
              public void onNext(PipeFrame frame) {}

              @Override
              public void onError(Throwable t) {
                finished.setException(t);
              }

              @Override
              public void onCompleted() {
                finished.set(null);
              }
            });
    requests.onNext(PipeFrame.newBuilder().setOpen(PipeOpen.newBuilder().setFunction("echoStream")).build());
    for (int i = 0; i < 3; i++) {
      requests.onNext(PipeFrame.newBuilder().setData(ByteString.copyFromUtf8("chunk " + i)).build());
    }
    requests.onCompleted();
    await(finished, deadline, "finish a stream");
  }

  private <T> T await(java.util.concurrent.Future<T> future, Deadline deadline, String what)
      throws IOException, InterruptedException {
    try {
      return future.get(Math.max(1, deadline.timeRemaining(TimeUnit.MILLISECONDS)), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw failure("did not " + what + ": " + e.getCause());
    } catch (TimeoutException e) {
      future.cancel(true);
      throw failure("did not " + what + " in time");
    }
  }

  private void readOutput(Process process, SettableFuture<Void> ready) {
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader lines =
                  new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                  if (line.equals(WireProtocol.READY_LINE)) {
                    ready.set(null);
                    continue;
                  }
                  synchronized (output) {
                    if (output.size() == OUTPUT_LINES_KEPT) {
                      output.removeFirst();
                    }
                    output.addLast(line);
                  }
                }
              } catch (IOException e) {
                // The process is gone; what it said is kept.
              }
              ready.setException(new IOException("ended its output before reporting ready"));
            },
            "pluginhost-class-data-output");
    reader.setDaemon(true);
    reader.start();
  }

  private IOException failure(String what) {
    String said;
    synchronized (output) {
      said = output.isEmpty() ? "" : "; its last output:\n  " + String.join("\n  ", output);
    }
    return new IOException("the class-data training JVM " + what + said);
  }

  private static boolean setprivHasPdeathsig() {
    if (!Files.isExecutable(SETPRIV)) {
      return false;
    }
    try {
      Process probe =
          new ProcessBuilder(SETPRIV.toString(), "--pdeathsig", "KILL", "true").redirectErrorStream(true).start();
      probe.getOutputStream().close();
      if (!probe.waitFor(5, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return false;
      }
      return probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
