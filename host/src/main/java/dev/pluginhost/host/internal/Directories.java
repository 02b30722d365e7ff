package dev.pluginhost.host.internal;

import com.google.common.io.MoreFiles;
import com.google.common.io.RecursiveDeleteOption;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Cleaning up the directories the host makes. */
public final class Directories {
  private static final Logger log = LoggerFactory.getLogger(Directories.class);

  private Directories() {}

  /**
   * Deletes {@code directory} and everything in it, if it exists; a failure is logged, not thrown,
   * since cleanup must never stop a host or a supervisor. Null does nothing.
   */
  public static void deleteQuietly(Path directory) {
    if (directory == null) {
      return;
    }
    try {
      // ALLOW_INSECURE: this JDK's file system may not offer the secure variant; nothing else
      // writes into these directories once their process is gone.
      MoreFiles.deleteRecursively(directory, RecursiveDeleteOption.ALLOW_INSECURE);
    } catch (java.nio.file.NoSuchFileException gone) {
      // Already deleted.
    } catch (IOException e) {
      log.debug("could not delete {}", directory, e);
    }
  }
}
