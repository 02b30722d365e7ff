package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.CallResult;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.PluginCalls;
import dev.pluginhost.testkit.CallFailedException;
import dev.pluginhost.testkit.MapOutcome;
import dev.pluginhost.testkit.PluginUnderTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Calls of an in-process plugin to the other plugins of its test: the grant {@code call:ID} first,
 * the runner's refusal on the plugin's I/O thread, NOT_FOUND for a plugin the test did not provide, and otherwise the code and description the
 * other plugin's own callers get.
 */
public final class LocalPluginCalls implements PluginCalls {
  private final GrantCheck grants;
  private final Map<String, PluginUnderTest> others;

  public LocalPluginCalls(GrantCheck grants, Map<String, PluginUnderTest> others) {
    this.grants = grants;
    this.others = Map.copyOf(others);
  }

  @Override
  public byte[] call(String pluginId, String function, byte[] input, Duration timeout) throws InterruptedException {
    grants.require("call:" + Objects.requireNonNull(pluginId, "pluginId"));
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(timeout, "timeout");
    IoThread.refuseToWait();
    PluginUnderTest other = other(pluginId);
    try {
      return other.call(function, input, positive(timeout));
    } catch (CallFailedException e) {
      throw rethrow(e);
    }
  }

  @Override
  public List<CallResult> map(String pluginId, String function, List<byte[]> inputs, Duration timeout)
      throws InterruptedException {
    grants.require("call:" + Objects.requireNonNull(pluginId, "pluginId"));
    Objects.requireNonNull(function, "function");
    inputs.forEach(input -> Objects.requireNonNull(input, "input"));
    Objects.requireNonNull(timeout, "timeout");
    IoThread.refuseToWait();
    PluginUnderTest other = other(pluginId);
    List<MapOutcome> outcomes;
    try {
      outcomes = other.map(function, inputs, positive(timeout));
    } catch (CallFailedException e) {
      throw rethrow(e);
    }
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while waiting for plugin " + pluginId);
    }
    List<CallResult> results = new ArrayList<>(outcomes.size());
    for (MapOutcome outcome : outcomes) {
      results.add(
          outcome.succeeded()
              ? CallResult.success(outcome.value())
              : CallResult.failure(outcome.error().orElseThrow().toHostServiceException()));
    }
    return results;
  }

  private PluginUnderTest other(String pluginId) {
    PluginUnderTest other = others.get(pluginId);
    if (other == null) {
      throw new HostServiceException(
          HostServiceException.Code.NOT_FOUND,
          "no plugin '" + pluginId + "' in this host; it has: "
              + (others.isEmpty() ? "(none)" : String.join(", ", new java.util.TreeSet<>(others.keySet()))));
    }
    return other;
  }

  /** A failed call as the plugin sees it, or an InterruptedException if its thread was interrupted. */
  private static HostServiceException rethrow(CallFailedException e) throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException("interrupted while waiting for plugin " + e.pluginId());
    }
    return e.toHostServiceException();
  }

  /** The host gives a call at least a nanosecond, as the runner's client does. */
  private static Duration positive(Duration timeout) {
    return timeout.isNegative() || timeout.isZero() ? Duration.ofNanos(1) : timeout;
  }
}
