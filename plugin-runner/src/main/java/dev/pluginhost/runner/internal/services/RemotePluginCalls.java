package dev.pluginhost.runner.internal.services;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.CallResult;
import dev.pluginhost.plugin.api.HostServiceException;
import dev.pluginhost.plugin.api.PluginCalls;
import dev.pluginhost.proto.runner.v1.CallPluginRequest;
import dev.pluginhost.proto.runner.v1.ItemResult;
import dev.pluginhost.proto.runner.v1.MapPluginRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Calls to other plugins, made by the host on this plugin's behalf. */
final class RemotePluginCalls implements PluginCalls {
  private final HostConnection host;
  private final GrantCheck grants;

  RemotePluginCalls(HostConnection host, GrantCheck grants) {
    this.host = host;
    this.grants = grants;
  }

  @Override
  public byte[] call(String pluginId, String function, byte[] input, Duration timeout) throws InterruptedException {
    grants.require("call:" + Objects.requireNonNull(pluginId, "pluginId"));
    CallPluginRequest request =
        CallPluginRequest.newBuilder()
            .setPluginId(pluginId)
            .setFunction(Objects.requireNonNull(function, "function"))
            .setInput(ByteString.copyFrom(Objects.requireNonNull(input, "input")))
            .build();
    try {
      return host.blocking(Objects.requireNonNull(timeout, "timeout")).callPlugin(request).getOutput().toByteArray();
    } catch (StatusRuntimeException e) {
      throw rethrow(e);
    }
  }

  @Override
  public List<CallResult> map(String pluginId, String function, List<byte[]> inputs, Duration timeout)
      throws InterruptedException {
    grants.require("call:" + Objects.requireNonNull(pluginId, "pluginId"));
    MapPluginRequest.Builder request =
        MapPluginRequest.newBuilder().setPluginId(pluginId).setFunction(Objects.requireNonNull(function, "function"));
    for (byte[] input : inputs) {
      request.addInputs(ByteString.copyFrom(Objects.requireNonNull(input, "input")));
    }
    List<ItemResult> items;
    try {
      items = host.blocking(Objects.requireNonNull(timeout, "timeout")).mapPlugin(request.build()).getResultsList();
    } catch (StatusRuntimeException e) {
      throw rethrow(e);
    }
    List<CallResult> results = new ArrayList<>(items.size());
    for (ItemResult item : items) {
      results.add(
          item.hasError()
              ? CallResult.failure(
                  new HostServiceException(
                      HostServiceException.Code.valueOf(io.grpc.Status.fromCodeValue(item.getError().getCode()).getCode().name()),
                      item.getError().getDescription()))
              : CallResult.success(item.getOutput().toByteArray()));
    }
    return results;
  }

  /** The plugin's view of a failed call, or an InterruptedException if the thread was interrupted. */
  static RuntimeException rethrow(StatusRuntimeException e) throws InterruptedException {
    if (HostConnection.interrupted(e) && Thread.interrupted()) {
      throw new InterruptedException("interrupted while waiting for the host");
    }
    return HostConnection.translate(e);
  }
}
