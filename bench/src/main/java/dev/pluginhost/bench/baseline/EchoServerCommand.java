package dev.pluginhost.bench.baseline;

import dev.pluginhost.host.internal.spawn.JvmCommand;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The command line of the echo server's JVM: a plugin JVM's, as {@link JvmCommand} builds it at
 * run time, with its class path and main class replaced by ours and any class-data archive option
 * dropped (an archive made for the runner's jar does not fit another class path).
 */
final class EchoServerCommand {
  /** Options naming a class path, any of which may start the class path and main class. */
  private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path", "-jar");
  /** Prefixes of options tied to the runner's jar: CDS and AOT caches. */
  private static final List<String> ARCHIVE_OPTION_PREFIXES =
      List.of(
          "-XX:SharedArchiveFile",
          "-XX:+AutoCreateSharedArchive",
          "-XX:ArchiveClassesAtExit",
          "-XX:AOTCache",
          "-XX:AOTMode",
          "-XX:AOTConfiguration");

  private EchoServerCommand() {}

  /**
   * The echo server's command, from the default plugin settings of this build.
   *
   * @param classpath what the child runs, normally this JVM's own class path; relative entries
   *     are made absolute against this JVM's working directory, since the child runs elsewhere
   * @param tmpDirectory the child's temporary directory, as a plugin's
   */
  static List<String> forDefaults(String classpath, Path tmpDirectory, Path socket, ExecutorChoice executors) {
    List<String> plugin = JvmCommand.command(dev.pluginhost.bench.BenchSettings.builder().build(), Path.of("runner.jar"), tmpDirectory);
    return replaceMain(
        plugin, absolute(classpath), EchoServerMain.class.getName(), List.of(socket.toString(), executors.label()));
  }

  /** {@code classpath} with each entry made absolute; empty entries (the working directory) dropped. */
  static String absolute(String classpath) {
    List<String> entries = new ArrayList<>();
    for (String entry : classpath.split(File.pathSeparator)) {
      if (!entry.isEmpty()) {
        entries.add(Path.of(entry).toAbsolutePath().normalize().toString());
      }
    }
    return String.join(File.pathSeparator, entries);
  }

  /**
   * {@code pluginCommand} up to its last class-path option (see {@link #CLASS_PATH_OPTIONS}), less
   * archive options, then {@code -cp classpath mainClass args}.
   *
   * @throws IllegalArgumentException if {@code pluginCommand} has no class-path option
   */
  static List<String> replaceMain(List<String> pluginCommand, String classpath, String mainClass, List<String> args) {
    int end = -1;
    for (int i = 0; i < pluginCommand.size(); i++) {
      if (CLASS_PATH_OPTIONS.contains(pluginCommand.get(i))) {
        end = i;
      }
    }
    if (end < 0) {
      throw new IllegalArgumentException(
          "a plugin JVM's command has no -cp/-jar to replace, so the echo server cannot copy its flags: " + pluginCommand);
    }
    List<String> command = new ArrayList<>();
    for (String option : pluginCommand.subList(0, end)) {
      if (ARCHIVE_OPTION_PREFIXES.stream().noneMatch(option::startsWith)) {
        command.add(option);
      }
    }
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    return command;
  }
}
