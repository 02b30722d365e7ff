package dev.pluginhost.testkit.internal;

import java.io.PrintStream;
import java.lang.System.Logger;
import java.text.MessageFormat;
import java.util.ResourceBundle;
import java.util.function.Supplier;

/**
 * An in-process plugin's {@link System.Logger}: INFO and above, one line per record on standard
 * error, as the runner writes them, tagged with the plugin's id since plugins share the test's
 * standard error.
 */
public final class StderrLogger implements Logger {
  private final String pluginId;
  private final PrintStream out;

  public StderrLogger(String pluginId, PrintStream out) {
    this.pluginId = pluginId;
    this.out = out;
  }

  @Override
  public String getName() {
    return pluginId;
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
    synchronized (out) {
      out.println("[" + pluginId + "] " + level.getName() + " " + msg + (thrown == null ? "" : ": " + thrown));
      if (thrown != null) {
        thrown.printStackTrace(out);
      }
    }
  }

  @Override
  public void log(Level level, ResourceBundle bundle, String format, Object... params) {
    if (isLoggable(level)) {
      String msg = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
      log(level, bundle, msg, (Throwable) null);
    }
  }

  @Override
  public void log(Level level, Supplier<String> msgSupplier) {
    if (isLoggable(level)) {
      log(level, null, msgSupplier.get(), (Throwable) null);
    }
  }
}
