package dev.pluginhost.samples.fanout;

import dev.pluginhost.plugin.api.CallResult;
import dev.pluginhost.plugin.api.Plugin;
import dev.pluginhost.plugin.api.PluginContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A pool within a pool. With multiprocessing, a worker that needs more parallelism starts a Pool
 * of its own: processes under processes, none of them supervised. Here it asks the host to spread
 * the work over another plugin's pool (grant {@code call:squares}), which the host queues,
 * supervises and restarts like any caller's work.
 */
public final class FanoutPlugin implements Plugin {
  /** The plugin whose pool does the work, and its function. */
  static final String WORKERS = "squares";
  static final String FUNCTION = "square";

  @Override
  public void start(PluginContext context) {
    // Input: n. Output: "sum of squares 1..n = S over P processes".
    context.registerText(
        "sumOfSquares",
        (call, input) -> {
          int n = Integer.parseInt(input.trim());
          List<byte[]> inputs = new ArrayList<>(n);
          for (int i = 1; i <= n; i++) {
            inputs.add(Integer.toString(i).getBytes(StandardCharsets.UTF_8));
          }
          List<CallResult> results = context.plugins().map(WORKERS, FUNCTION, inputs, call.remaining());
          long sum = 0;
          Set<String> processes = new HashSet<>();
          for (CallResult result : results) {
            // squares answers "n*n@process"; a failed input throws its error here.
            String[] answer = result.text().split("@");
            sum += Long.parseLong(answer[0]);
            processes.add(answer[1]);
          }
          return "sum of squares 1.." + n + " = " + sum + " over " + processes.size() + " processes";
        });
    // One call, for the simplest case.
    context.registerText(
        "squareOf",
        (call, input) -> context.plugins().callText(WORKERS, FUNCTION, input, call.remaining()).split("@")[0]);
  }
}
