package dev.pluginhost.host.cli;

import com.google.common.util.concurrent.MoreExecutors;
import dev.pluginhost.host.PluginCallException;
import dev.pluginhost.host.PluginEvent;
import dev.pluginhost.host.PluginHandle;
import dev.pluginhost.host.PluginHost;
import dev.pluginhost.host.PluginPipe;
import dev.pluginhost.host.PluginSettings;
import dev.pluginhost.host.PluginState;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The main job: a host serving the sample plugins, with calls, a crash and a hang, each recovered
 * while a healthy plugin under steady calls misses none.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Starts a host with the sample plugins, makes calls, crashes one plugin and hangs another,",
      "and shows both restarted while a healthy plugin under steady calls misses none.",
      "Exits 0 when everything behaved as it should."
    })
final class DemoCommand implements Callable<Integer> {
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration HANG_LIMIT = Duration.ofMillis(1500);

  @Option(
      names = "--plugins",
      paramLabel = "DIR",
      description = "The sample plugins (default: samples/target/plugins of this build).")
  Path pluginsDirectory;

  @Option(names = "--verbose", description = "Also show the host's and the plugins' logs.")
  boolean verbose;

  private final PrintStream out = System.out;
  private boolean ok = true;

  @Override
  public Integer call() throws Exception {
    if (!verbose) {
      // Set before the first logger exists; the demo prints its own story instead.
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    Path plugins = pluginsDirectory != null ? pluginsDirectory : SamplesLocator.find();
    if (plugins == null || !Files.isDirectory(plugins)) {
      System.err.println(
          "pluginhost demo: cannot find the sample plugins"
              + (plugins == null ? "" : " at " + plugins)
              + "; build them first (mvn -B -q package -DskipTests) or pass --plugins DIR");
      return 1;
    }
    out.println("plugin-host demo: sample plugins from " + plugins);
    long t0 = System.nanoTime();
    try (PluginHost host =
        PluginHost.builder()
            .pluginsDirectory(plugins)
            .defaults(PluginSettings.builder().processes(1).build())
            // hello runs as a pool of two: one process per core of this demo's reference machine.
            .plugin("hello", s -> s.config("greeting", "Hello").processes(2))
            .plugin("hanger", s -> s.callTimeLimit(HANG_LIMIT).probeInterval(Duration.ofMillis(500)))
            .build()) {
      host.startAsync().awaitRunning(Duration.ofMinutes(2));
      List<String> started = new ArrayList<>();
      for (PluginHandle plugin : host.plugins()) {
        List<String> pids = new ArrayList<>();
        plugin.processes().forEach(p -> pids.add(Long.toString(p.pid())));
        started.add(plugin.id() + " (pid " + String.join(", ", pids) + ")");
      }
      step("start", "%d plugins serving in %d ms: %s", started.size(), millisSince(t0), String.join(", ", started));
      host.problems().forEach(p -> step("refused", "%s", p));

      PluginHandle hello = host.plugin("hello");
      PluginHandle crasher = host.plugin("crasher");
      PluginHandle hanger = host.plugin("hanger");
      try {
        showCalls(hello);
      } catch (PluginCallException e) {
        expect(false, "call", "an ordinary call failed: %s", e.getMessage());
      }

      SteadyCaller steady = new SteadyCaller(hello);
      steady.start();
      step("steady", "a background caller now sends hello.echo every 10 ms");

      showCrash(crasher);
      showHang(hanger);

      steady.stopAndJoin();
      expect(steady.failures.get() == 0 && steady.calls.get() > 0, "steady", "hello answered %d of %d calls during the crash and the hang (%d failed)",
          steady.calls.get() - steady.failures.get(), steady.calls.get(), steady.failures.get());
      steady.firstFailure.forEach(f -> out.println("           first failure: " + f));
      long t1 = System.nanoTime();
      host.stopAsync().awaitTerminated(Duration.ofMinutes(1));
      step("stop", "all plugins stopped in %d ms", millisSince(t1));
    }
    out.println(ok ? "demo OK" : "demo FAILED: see the lines marked !!");
    return ok ? 0 : 1;
  }

  private void showCalls(PluginHandle hello) {
    long t = System.nanoTime();
    String greeting = hello.callText("greet", "world", CALL_TIMEOUT);
    expect(greeting.equals("Hello, world!"), "call", "hello.greet(\"world\") -> \"%s\" in %d ms", greeting, millisSince(t));
    try (PluginPipe pipe = hello.openPipe("shout", CALL_TIMEOUT)) {
      List<String> replies = new ArrayList<>();
      for (String word : List.of("isolated", "supervised")) {
        pipe.send(word.getBytes(StandardCharsets.UTF_8));
        replies.add(new String(pipe.receive(), StandardCharsets.UTF_8));
      }
      pipe.closeSend();
      expect(pipe.receive() == null && replies.equals(List.of("ISOLATED", "SUPERVISED")),
          "pipe", "hello.shout streamed [isolated, supervised] -> %s", replies);
    }
    try {
      hello.callText("fail", "on purpose", CALL_TIMEOUT);
      expect(false, "error", "hello.fail returned instead of failing");
    } catch (PluginCallException e) {
      String pidBefore = hello.pid().isPresent() ? "pid " + hello.pid().getAsLong() : "no process";
      expect(hello.state() == PluginState.RUNNING, "error", "hello.fail -> %s (hello is still %s as %s)", e.getMessage(), hello.state(), pidBefore);
    }
  }

  private void showCrash(PluginHandle crasher) throws InterruptedException {
    EventWatch events = new EventWatch(crasher);
    long pid = crasher.pid().orElse(-1);
    long t = System.nanoTime();
    try {
      crasher.callText("exit", "42", CALL_TIMEOUT);
      expect(false, "crash", "crasher.exit returned instead of failing");
    } catch (PluginCallException e) {
      expect(e.death().isPresent(), "crash", "crasher.exit(42) on pid %d -> %s", pid, e.getMessage());
    }
    PluginEvent back = events.awaitState(PluginState.RUNNING, Duration.ofSeconds(30));
    expect(back != null, "recover", "crasher restarted (%s) %d ms after the crash; crasher.ping -> %s",
        back == null ? "did not come back" : back.reason(), millisSince(t), safeCall(crasher, "ping"));
  }

  private void showHang(PluginHandle hanger) throws InterruptedException {
    EventWatch events = new EventWatch(hanger);
    long pid = hanger.pid().orElse(-1);
    long t = System.nanoTime();
    try {
      hanger.callText("spin", "", CALL_TIMEOUT);
      expect(false, "hang", "hanger.spin returned instead of failing");
    } catch (PluginCallException e) {
      expect(e.getMessage().contains("killed as hung"), "hang", "hanger.spin on pid %d -> %s (after %d ms)", pid, e.getMessage(), millisSince(t));
    }
    PluginEvent back = events.awaitState(PluginState.RUNNING, Duration.ofSeconds(30));
    expect(back != null, "recover", "hanger restarted (%s) %d ms after the call began; hanger.ping -> %s",
        back == null ? "did not come back" : back.reason(), millisSince(t), safeCall(hanger, "ping"));
  }

  private static String safeCall(PluginHandle plugin, String function) {
    try {
      return plugin.callText(function, "", CALL_TIMEOUT);
    } catch (PluginCallException e) {
      return "FAILED " + e.getMessage();
    }
  }

  private void expect(boolean condition, String label, String format, Object... args) {
    if (!condition) {
      ok = false;
      label = "!! " + label;
    }
    step(label, format, args);
  }

  private void step(String label, String format, Object... args) {
    out.printf("  %-9s %s%n", label, String.format(format, args));
  }

  private static long millisSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }

  /** Records a plugin's events from now on, to wait for one. */
  private static final class EventWatch {
    private final LinkedBlockingQueue<PluginEvent> events = new LinkedBlockingQueue<>();

    EventWatch(PluginHandle plugin) {
      plugin.addListener(events::add, MoreExecutors.directExecutor());
    }

    PluginEvent awaitState(PluginState state, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      boolean leftRunning = false;
      while (true) {
        PluginEvent event = events.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        if (event == null) {
          return null;
        }
        leftRunning |= event.from() == PluginState.RUNNING;
        if (leftRunning && event.to() == state) {
          return event;
        }
      }
    }
  }

  /** Calls hello.echo every 10 ms and counts what fails. */
  private static final class SteadyCaller extends Thread {
    private final PluginHandle plugin;
    private final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();
    final List<String> firstFailure = new ArrayList<>();

    SteadyCaller(PluginHandle plugin) {
      super("demo-steady-caller");
      setDaemon(true);
      this.plugin = plugin;
    }

    @Override
    public void run() {
      byte[] payload = "steady".getBytes(StandardCharsets.UTF_8);
      while (running.get()) {
        calls.incrementAndGet();
        try {
          byte[] reply = plugin.call("echo", payload, Duration.ofSeconds(5));
          if (!java.util.Arrays.equals(reply, payload)) {
            fail("wrong reply");
          }
        } catch (PluginCallException e) {
          fail(e.getMessage());
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private synchronized void fail(String why) {
      if (failures.getAndIncrement() == 0) {
        firstFailure.add(why);
      }
    }

    void stopAndJoin() throws InterruptedException {
      running.set(false);
      join(10_000);
    }
  }
}
