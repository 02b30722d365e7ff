package dev.pluginhost.testkit.internal;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/** Temporary directories and the jar packed from a classes directory. */
public final class TempFiles {
  private TempFiles() {}

  /**
   * Deletes {@code path} and everything under it; symbolic links are removed, never followed.
   * Files that vanish meanwhile are no error: the host cleans up its own directories on its way out,
   * on threads of its own. A directory that something filled meanwhile is walked again, a few
   * times at most.
   */
  public static void deleteRecursively(Path path) throws IOException {
    for (int attempt = 1; ; attempt++) {
      try {
        deleteOnce(path);
        return;
      } catch (DirectoryNotEmptyException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }

  private static void deleteOnce(Path path) throws IOException {
    if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Files.walkFileTree(
        path,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
            Files.deleteIfExists(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
              return FileVisitResult.CONTINUE;
            }
            throw e;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path directory, IOException e) throws IOException {
            if (e != null && !(e instanceof NoSuchFileException)) {
              throw e;
            }
            Files.deleteIfExists(directory);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** {@link #deleteRecursively}, saying on standard error what could not be deleted. */
  public static void deleteQuietly(Path path) {
    try {
      deleteRecursively(path);
    } catch (IOException | UncheckedIOException e) {
      System.err.println("pluginhost-testkit: could not delete " + path + ": " + e);
    }
  }

  /** Packs every file under {@code classes} into a new jar at {@code jar}, in name order. */
  public static void packJar(Path classes, Path jar) throws IOException {
    List<Path> files;
    try (Stream<Path> walk = Files.walk(classes)) {
      files = walk.filter(p -> !p.equals(classes)).sorted().toList();
    }
    Files.createDirectories(jar.getParent());
    try (OutputStream out = Files.newOutputStream(jar);
        JarOutputStream zip = new JarOutputStream(out)) {
      for (Path file : files) {
        String name = classes.relativize(file).toString().replace(java.io.File.separatorChar, '/');
        if (Files.isDirectory(file)) {
          zip.putNextEntry(new JarEntry(name + "/"));
        } else {
          zip.putNextEntry(new JarEntry(name));
          Files.copy(file, zip);
        }
        zip.closeEntry();
      }
    }
  }
}
