package dev.pluginhost.host.internal.services;

import dev.pluginhost.proto.runner.v1.HostServicesGrpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;

/**
 * The largest request of each kind the host parses: a few KiB for a key or a lock's name, 64 KiB
 * and a key for a value, 256 KiB for a batch of log records, and the plugin's message limit only
 * for calls that carry a payload on to another plugin or service. Checked on the encoded size,
 * before parsing, so a small-looking request cannot unfold into a large one in the host's memory.
 */
final class RequestLimits {
  static final int SMALL = 4 * 1024;
  static final int LOG = 256 * 1024;
  static final int VALUE = KeyValueStoreFile.MAX_VALUE_BYTES + SMALL;

  private RequestLimits() {}

  static Map<String, Integer> limits(int maxMessageBytes) {
    return Map.of(
        HostServicesGrpc.getLogMethod().getFullMethodName(), LOG,
        HostServicesGrpc.getKvGetMethod().getFullMethodName(), SMALL,
        HostServicesGrpc.getKvListMethod().getFullMethodName(), SMALL,
        HostServicesGrpc.getKvPutMethod().getFullMethodName(), 2 * VALUE,
        HostServicesGrpc.getHoldLockMethod().getFullMethodName(), SMALL,
        HostServicesGrpc.getCallPluginMethod().getFullMethodName(), maxMessageBytes,
        HostServicesGrpc.getMapPluginMethod().getFullMethodName(), maxMessageBytes,
        HostServicesGrpc.getCallServiceMethod().getFullMethodName(), maxMessageBytes);
  }

  /** {@code service} with each method's requests refused over its limit, with RESOURCE_EXHAUSTED. */
  static ServerServiceDefinition apply(ServerServiceDefinition service, int maxMessageBytes) {
    Map<String, Integer> limits = limits(maxMessageBytes);
    ServerServiceDefinition.Builder limited = ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
    for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
      Integer limit = limits.get(method.getMethodDescriptor().getFullMethodName());
      if (limit == null) {
        limited.addMethod(method);
      } else {
        limited.addMethod(bounded(method, limit));
      }
    }
    return limited.build();
  }

  /**
   * What a bounded method's parser hands on in place of a request over its limit. gRPC answers an
   * exception from a parser with UNKNOWN (and logs it at SEVERE), so the parser refuses nothing
   * itself: the call's listener answers this with RESOURCE_EXHAUSTED instead of handling it.
   */
  private record Oversized(String method, int limit, int size) {}

  @SuppressWarnings("unchecked")
  private static <Q, R> ServerMethodDefinition<Q, R> bounded(ServerMethodDefinition<Q, R> method, int limit) {
    MethodDescriptor<Q, R> descriptor = method.getMethodDescriptor();
    MethodDescriptor.Marshaller<Q> parser = descriptor.getRequestMarshaller();
    MethodDescriptor.Marshaller<Q> bounded =
        new MethodDescriptor.Marshaller<>() {
          @Override
          public InputStream stream(Q value) {
            return parser.stream(value);
          }

          @Override
          public Q parse(InputStream stream) {
            int size;
            try {
              size = stream.available();
            } catch (IOException e) {
              size = 0;
            }
            if (size > limit) {
              return (Q) new Oversized(descriptor.getBareMethodName(), limit, size);
            }
            return parser.parse(stream);
          }
        };
    ServerCallHandler<Q, R> handler = method.getServerCallHandler();
    ServerCallHandler<Q, R> refusing =
        (call, headers) ->
            new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(handler.startCall(call, headers)) {
              private boolean refused;

              @Override
              public void onMessage(Q message) {
                if ((Object) message instanceof Oversized oversized) {
                  refused = true;
                  call.close(
                      Status.RESOURCE_EXHAUSTED.withDescription(
                          "a " + oversized.method() + " request is at most " + oversized.limit() + " bytes; this one is "
                              + oversized.size()),
                      new Metadata());
                } else if (!refused) {
                  super.onMessage(message);
                }
              }

              @Override
              public void onHalfClose() {
                if (!refused) {
                  super.onHalfClose();
                }
              }

              @Override
              public void onReady() {
                if (!refused) {
                  super.onReady();
                }
              }
            };
    return ServerMethodDefinition.create(descriptor.toBuilder().setRequestMarshaller(bounded).build(), refusing);
  }
}
