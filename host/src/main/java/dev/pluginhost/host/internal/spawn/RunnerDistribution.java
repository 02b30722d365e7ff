package dev.pluginhost.host.internal.spawn;

import com.google.common.hash.Hashing;
import com.google.common.hash.HashingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The plugin runner's jar, which travels inside the host's own jar as a resource and is unpacked
 * once into a cache directory, named by its content hash. Every plugin JVM's classpath is that one
 * file: nothing of the host's or its embedding application's classpath.
 */
public final class RunnerDistribution {
  static final String RESOURCE = "plugin-runner.jar";

  private RunnerDistribution() {}

  /**
   * Returns the unpacked runner jar under {@code cacheDirectory}, unpacking it if this exact jar
   * is not there yet. Safe against concurrent hosts: each writes a private temporary file and
   * moves it into place atomically.
   *
   * @throws IllegalStateException if the host was built without the runner inside
   */
  public static Path unpack(Path cacheDirectory) throws IOException {
    Files.createDirectories(cacheDirectory);
    Path temporary = Files.createTempFile(cacheDirectory, "runner-", ".tmp");
    try {
      String hash;
      try (InputStream resource = RunnerDistribution.class.getResourceAsStream(RESOURCE)) {
        if (resource == null) {
          throw new IllegalStateException(
              "the host was built without its plugin runner (resource "
                  + RESOURCE
                  + " next to "
                  + RunnerDistribution.class.getName()
                  + "); build it with Maven, which embeds it");
        }
        HashingInputStream hashing = new HashingInputStream(Hashing.sha256(), resource);
        try (OutputStream out = Files.newOutputStream(temporary)) {
          hashing.transferTo(out);
        }
        hash = hashing.hash().toString().substring(0, 16);
      }
      Path target = cacheDirectory.resolve("plugin-runner-" + hash + ".jar");
      if (Files.exists(target)) {
        return target;
      }
      try {
        Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException | AtomicMoveNotSupportedException e) {
        if (!Files.exists(target)) {
          Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return target;
    } finally {
      Files.deleteIfExists(temporary);
    }
  }
}
