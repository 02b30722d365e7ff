package dev.pluginhost.runner.internal.services;

import com.google.protobuf.ByteString;
import dev.pluginhost.plugin.api.ServiceClient;
import dev.pluginhost.proto.runner.v1.CallServiceRequest;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Objects;

/** A service of the embedding application, reached through the host. */
final class RemoteServiceClient implements ServiceClient {
  private final String name;
  private final HostConnection host;
  private final GrantCheck grants;

  RemoteServiceClient(String name, HostConnection host, GrantCheck grants) {
    this.name = Objects.requireNonNull(name, "name");
    this.host = host;
    this.grants = grants;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public byte[] call(String method, byte[] request, Duration timeout) throws InterruptedException {
    grants.require("service:" + name);
    CallServiceRequest message =
        CallServiceRequest.newBuilder()
            .setService(name)
            .setMethod(Objects.requireNonNull(method, "method"))
            .setRequest(ByteString.copyFrom(Objects.requireNonNull(request, "request")))
            .build();
    try {
      return host.blocking(Objects.requireNonNull(timeout, "timeout")).callService(message).getResponse().toByteArray();
    } catch (StatusRuntimeException e) {
      throw RemotePluginCalls.rethrow(e);
    }
  }
}
