package dev.pluginhost.samples.forkhabits;

import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A plugin written with fork's habits: as if, like a child of {@code os.fork()}, it shared its
 * parent's open files and globals. A plugin JVM is spawned from nothing, so each habit finds
 * nothing there, and each fails with an error that says so instead of running on with empty or
 * default data. The right way for each is beside it.
 */
public final class ForkHabitsPlugin implements Plugin {
  @Override
  public void start(PluginContext context) {
    // Habit: a hand-rolled worker reads its jobs from the standard input its parent feeds.
    // Here no one feeds it: the read fails, naming the reason.
    context.registerText(
        "jobFromStdin",
        (call, input) -> {
          BufferedReader jobs = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
          return "job: " + jobs.readLine();
        });
    // Habit: a global the parent set before forking (here a system property the application set
    // with System.setProperty). The host's properties are not the plugin's, and a default would hide
    // that: reading one the host has fails, naming it.
    context.registerText("regionFromGlobal", (call, input) -> "region " + System.getProperty("app.region", "eu-west"));
    // The right way: the host passes what the plugin needs in its configuration.
    context.registerText("regionFromConfig", (call, input) -> "region " + context.requireConfig("region"));
  }
}
