package dev.pluginhost.bench.baseline;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The standard set of baselines, and running several in turn. */
public final class Baselines {
  private Baselines() {}

  /**
   * Every baseline with its default options, in the order they are shown: in process, gRPC with
   * direct executors, gRPC with default executors, Python.
   *
   * @param squaresJar the built {@code squares} sample
   * @param classpath the echo server's class path: this JVM's when it holds the bench
   * @param python the Python command, such as {@code "python3"}
   */
  public static List<Baseline> standard(Path squaresJar, String classpath, String python) {
    return List.of(
        new InProcessCallBaseline(squaresJar, InProcessCallBaseline.Options.defaults()),
        new GrpcEchoBaseline(classpath, ExecutorChoice.DIRECT, GrpcEchoBaseline.Options.defaults()),
        new GrpcEchoBaseline(classpath, ExecutorChoice.GRPC_DEFAULT, GrpcEchoBaseline.Options.defaults()),
        new PythonMultiprocessingBaseline(python, PythonMultiprocessingBaseline.Options.defaults()));
  }

  /**
   * Runs each baseline in turn, on this thread, and returns their results in the same order. A
   * baseline that throws becomes a {@link BaselineResult.Status#FAILED} result naming the
   * exception, and the next one still runs. {@code progress} hears one line before and after each.
   */
  public static List<BaselineResult> runAll(List<Baseline> baselines, Consumer<String> progress) {
    List<BaselineResult> results = new ArrayList<>();
    for (Baseline baseline : baselines) {
      progress.accept("running " + baseline.name() + ": " + baseline.description());
      long start = System.nanoTime();
      BaselineResult result;
      try {
        result = baseline.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        result = BaselineResult.failed(baseline.name(), baseline.description(), "interrupted");
      } catch (Exception | Error e) {
        if (e instanceof VirtualMachineError) {
          throw (VirtualMachineError) e;
        }
        result = BaselineResult.failed(baseline.name(), baseline.description(), e.toString());
      }
      progress.accept(
          String.format(
              Locale.ROOT, "  %s %s in %.1f s", baseline.name(), result.status().name().toLowerCase(Locale.ROOT),
              (System.nanoTime() - start) / 1e9));
      results.add(result);
      if (Thread.currentThread().isInterrupted()) {
        break;
      }
    }
    return results;
  }
}
