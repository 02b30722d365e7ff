package dev.pluginhost.runner.internal;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * The plugin's {@link System.Logger}: one line per record on the runner's original standard error,
 * which the host drains and tags with the plugin's id and pid. Holding the original stream means a
 * plugin that replaces {@code System.err} does not silence its own logger.
 */
final class StderrLogger implements Logger {
  private final String name;
  private final PrintStream out;

  StderrLogger(String name, PrintStream out) {
    this.name = name;
    this.out = out;
  }

  @Override
  public String getName() {
    return name;
  }

  @Override
  public boolean isLoggable(Level level) {
    return level.getSeverity() >= Level.INFO.getSeverity() && level != Level.OFF;
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
    if (!isLoggable(level)) {
      return;
    }
    StringBuilder line = new StringBuilder().append(level.getName()).append(' ').append(msg);
    if (thrown != null) {
      line.append(": ").append(thrown);
    }
    write(line.toString());
    if (thrown != null) {
      synchronized (out) {
        thrown.printStackTrace(out);
      }
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (!isLoggable(level)) {
      return;
    }
    String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
    log(level, bundle, msg, (Throwable) null);
  }

  @Override
  public void log(Level level, Supplier<String> msgSupplier) {
    if (isLoggable(level)) {
      log(level, null, msgSupplier.get(), (Throwable) null);
    }
  }

  private void write(String line) {
    synchronized (out) {
      out.println(line);
    }
  }
}
