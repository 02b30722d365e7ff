package dev.pluginhost.host.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which plugins an operator disabled, remembered across server restarts in one file under the
 * data directory (one id a line). Writes replace the file atomically, so a crash mid-write leaves
 * the old list or the new one, never half of either.
 *
 * <p>Thread-safe.
 */
final class EnabledPlugins {
  private final Path file;
  private final Set<String> disabled = new TreeSet<>();

  private EnabledPlugins(Path file) {
    this.file = file;
  }

  /** Reads the list at {@code file}; a missing file means every plugin is enabled. */
  static EnabledPlugins open(Path file) throws IOException {
    EnabledPlugins plugins = new EnabledPlugins(file);
    if (Files.exists(file)) {
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (!line.isBlank() && !line.startsWith("#")) {
          plugins.disabled.add(line.trim());
        }
      }
    }
    return plugins;
  }

  synchronized Set<String> disabled() {
    return Set.copyOf(disabled);
  }

  synchronized boolean isEnabled(String id) {
    return !disabled.contains(id);
  }

  /**
   * Records that {@code id} is enabled or not, on disk before returning.
   *
   * @throws UncheckedIOException if the file cannot be written; the record is then unchanged
   */
  synchronized void set(String id, boolean enabled) {
    boolean changed = enabled ? disabled.remove(id) : disabled.add(id);
    if (!changed) {
      return;
    }
    try {
      Files.createDirectories(file.getParent());
      Path next = file.resolveSibling(file.getFileName() + ".next");
      StringBuilder text = new StringBuilder("# Plugins an operator disabled; written by the server.\n");
      disabled.forEach(d -> text.append(d).append('\n'));
      Files.writeString(next, text, StandardCharsets.UTF_8);
      Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      if (enabled) {
        disabled.add(id);
      } else {
        disabled.remove(id);
      }
      throw new UncheckedIOException("cannot record plugin " + id + " as " + (enabled ? "enabled" : "disabled") + " in " + file, e);
    }
  }
}
