package dev.pluginhost.runner.internal;

import dev.pluginhost.proto.WireProtocol;
import dev.pluginhost.proto.runner.v1.PluginRunnerGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Refuses every call that does not carry this spawn's token, but the handshake, which proves the
 * runner's identity to the host and reveals nothing. Another process that reaches the socket
 * (another plugin, say) can therefore neither call this plugin nor read its state.
 */
final class TokenInterceptor implements ServerInterceptor {
  private final byte[] token;

  TokenInterceptor(byte[] token) {
    this.token = token.clone();
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    if (method.equals(PluginRunnerGrpc.getHandshakeMethod().getFullMethodName())) {
      return next.startCall(call, headers);
    }
    if (!WireProtocol.presentsToken(headers, token)) {
      call.close(
          Status.UNAUTHENTICATED.withDescription("this plugin runner serves only the host that started it"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
