package dev.pluginhost.host.internal.spawn;

import com.google.common.hash.Hasher;
import com.google.common.hash.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Optional;

/**
 * The class-data archive of the plugin runner for one JDK and one set of JVM options: the classes
 * of the runner, gRPC, Netty and protobuf, already parsed and verified, which a plugin JVM maps
 * instead of loading them from the jar. It takes a JVM serving its first call from about 0.6 s to
 * about 0.2 s.
 *
 * <p>On Java 17 to 24 it is a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}, then
 * {@code -XX:SharedArchiveFile}); from Java 25 on it is the JDK's own ahead-of-time cache
 * ({@code -XX:AOTCacheOutput}, then {@code -XX:AOTCache}), which also keeps classes linked.
 *
 * <p>An archive is only good for the exact runner jar, JDK and options it was made with; any
 * other, and the JVM quietly loads everything from the jar again. So the file's name is a hash of
 * all three: the runner jar's name (which carries its content hash), the JDK's real path, version
 * and class image ({@code lib/modules} size and time), and every option of the command but the
 * per-spawn paths. A changed jar, JDK or setting names another file, never a stale one.
 */
public final class ClassDataArchive {
  /** The first Java release whose own ahead-of-time cache is used instead of AppCDS. */
  static final int FIRST_AOT_CACHE_RELEASE = 25;
  private static final String CREATE_APPCDS = "-XX:ArchiveClassesAtExit=";
  private static final String CREATE_AOT_CACHE = "-XX:AOTCacheOutput=";

  private final Path file;
  private final int javaRelease;

  private ClassDataArchive(Path file, int javaRelease) {
    this.file = file;
    this.javaRelease = javaRelease;
  }

  /**
   * The archive for plugin JVMs started with {@code keyCommand}: the command {@link JvmCommand}
   * builds, with fixed stand-ins for its per-spawn paths. Empty when the JDK cannot be identified
   * (no {@code release} file) or is older than Java 17, where nothing is archived.
   */
  public static Optional<ClassDataArchive> forCommand(Path cacheDirectory, List<String> keyCommand) {
    Optional<JdkRelease> jdk = JdkRelease.of(Path.of(keyCommand.get(0)));
    int feature = jdk.map(JdkRelease::feature).orElse(0);
    if (feature < 17) {
      return Optional.empty();
    }
    Hasher hasher = Hashing.sha256().newHasher();
    hasher.putString(jdk.get().launcher().toString(), StandardCharsets.UTF_8).putByte((byte) 0);
    hasher.putString(jdk.get().version(), StandardCharsets.UTF_8).putByte((byte) 0);
    hasher.putString(jdk.get().values().getProperty("IMPLEMENTOR", ""), StandardCharsets.UTF_8).putByte((byte) 0);
    try {
      BasicFileAttributes modules =
          Files.readAttributes(jdk.get().home().resolve("lib").resolve("modules"), BasicFileAttributes.class);
      hasher.putLong(modules.size()).putLong(modules.lastModifiedTime().toMillis());
    } catch (IOException e) {
      return Optional.empty();
    }
    for (String part : keyCommand.subList(1, keyCommand.size())) {
      hasher.putString(part, StandardCharsets.UTF_8).putByte((byte) 0);
    }
    String name =
        "runner-" + feature + "-" + hasher.hash().toString().substring(0, 20)
            + (feature >= FIRST_AOT_CACHE_RELEASE ? ".aot" : ".jsa");
    return Optional.of(new ClassDataArchive(cacheDirectory.resolve(name), feature));
  }

  /** Where the archive is kept, whether or not it exists yet. */
  public Path file() {
    return file;
  }

  /** The Java feature release of the plugins' JDK, such as 17. */
  public int javaRelease() {
    return javaRelease;
  }

  /** Whether the archive has been made. */
  public boolean exists() {
    return Files.isRegularFile(file);
  }

  /**
   * The options that make a plugin JVM map this archive. A JVM that finds it unusable after all
   * loads its classes from the jar, as without the options, and says nothing.
   */
  public List<String> useOptions() {
    // Mapped where it was made rather than at a random address: relocating it would cost some
    // 20 ms at every start and write to nearly every page, which would then count towards each
    // plugin's resident memory instead of being shared by all of them. Randomizing the address
    // protects a JVM from memory-corruption exploits; a plugin already runs code of its choosing in
    // this JVM, so it gains nothing from the address that it could not have anyway.
    if (javaRelease >= FIRST_AOT_CACHE_RELEASE) {
      return List.of(
          "-XX:AOTCache=" + file,
          "-XX:+UnlockDiagnosticVMOptions",
          "-XX:ArchiveRelocationMode=0",
          "-Xlog:aot=off",
          "-Xlog:cds=off");
    }
    return List.of(
        "-XX:SharedArchiveFile=" + file,
        "-Xshare:auto",
        "-XX:+UnlockDiagnosticVMOptions",
        "-XX:ArchiveRelocationMode=0",
        "-Xlog:cds=off",
        "-Xlog:cds+dynamic=off");
  }

  /**
   * Whether {@code arguments} (a process's command line after the launcher) are a training JVM's:
   * one that writes an archive as it exits, which a host may run beside its plugins for seconds.
   */
  public static boolean isTraining(List<String> arguments) {
    return arguments.stream().anyMatch(arg -> arg.startsWith(CREATE_APPCDS) || arg.startsWith(CREATE_AOT_CACHE));
  }

  /** The options that make a training JVM write the archive to {@code output} as it exits. */
  public List<String> createOptions(Path output) {
    if (javaRelease >= FIRST_AOT_CACHE_RELEASE) {
      return List.of(CREATE_AOT_CACHE + output);
    }
    return List.of(CREATE_APPCDS + output);
  }
}
