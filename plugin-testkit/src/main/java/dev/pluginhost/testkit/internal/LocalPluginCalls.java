package dev.pluginhost.testkit.internal;

import dev.pluginhost.plugin.api.CallResult;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.PluginApi;
import dev.pluginhost.plugin.api.PluginCalls;
import dev.pluginhost.testkit.CallFailedException;
import dev.pluginhost.testkit.MapOutcome;
import dev.pluginhost.testkit.PluginUnderTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Calls of an in-process plugin to the other plugins of its test, and to itself: the grant {@code
 * call:ID} first, the runner's refusal on the plugin's I/O thread, NOT_FOUND for a plugin the test
 * did not provide, and otherwise the code and description the other plugin's own callers get. As
 * the host does, each call carries the caller's id under {@link PluginApi#CALLER_METADATA}, and a
 * plugin granted {@code call:} its own id calls itself.
 */
public final class LocalPluginCalls implements PluginCalls {
  private final String callerId;
  private final GrantCheck grants;
  private final Map<String, PluginUnderTest> others;
  private final LocalCalls self;
  private final Map<String, String> callerMetadata;

  /**
   * @param callerId the calling plugin's id
   * @param self the calling plugin's own calls, for a call to {@code callerId}
   */
  public LocalPluginCalls(String callerId, GrantCheck grants, Map<String, PluginUnderTest> others, LocalCalls self) {
    this.callerId = callerId;
    this.grants = grants;
    this.others = Map.copyOf(others);
    this.self = self;
    this.callerMetadata = Map.of(PluginApi.CALLER_METADATA, callerId);
  }

  @Override
  public byte[] call(String pluginId, String function, byte[] input, Duration timeout) throws InterruptedException {
    grants.require("call:" + Objects.requireNonNull(pluginId, "pluginId"));
    Objects.requireNonNull(function, "function");
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(timeout, "timeout");
    IoThread.refuseToWait();
    try {
      return pluginId.equals(callerId)
          ? self.call(function, input, positive(timeout), callerMetadata)
          : other(pluginId).call(function, input, positive(timeout), callerMetadata);
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
    List<MapOutcome> outcomes;
    try {
      outcomes =
          pluginId.equals(callerId)
              ? self.map(function, inputs, positive(timeout), callerMetadata)
              : other(pluginId).map(function, inputs, positive(timeout), callerMetadata);
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
    HostNames.check(pluginId, HostNames.NAME, "plugin");
    PluginUnderTest other = others.get(pluginId);
    if (other == null) {
      TreeSet<String> known = new TreeSet<>(others.keySet());
      known.add(callerId);
      throw new HostServiceException(
          HostServiceException.Code.NOT_FOUND,
          "no plugin '" + pluginId + "' on this host; it has: " + String.join(", ", known));
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
