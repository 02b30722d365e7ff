package dev.pluginhost.bench.baseline;

import io.grpc.KnownLength;
import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A two-method gRPC service on raw bytes, with no {@code .proto}: {@link #ECHO} answers with its
 * request, {@link #SINK} takes a client stream and answers with the number of bytes it received.
 * Messages are byte arrays as they are, with no framing of their own.
 */
public final class EchoProtocol {
  public static final String SERVICE = "pluginhost.bench.Echo";

  /** Unary: the response is the request's bytes. */
  public static final MethodDescriptor<byte[], byte[]> ECHO =
      method(MethodType.UNARY, "Echo");

  /** Client streaming: the response is the total length of the messages, see {@link #decodeTotal}. */
  public static final MethodDescriptor<byte[], byte[]> SINK =
      method(MethodType.CLIENT_STREAMING, "Sink");

  private EchoProtocol() {}

  /**
   * The service, built by hand. Its handlers never block, so they may run on the event loop.
   */
  public static ServerServiceDefinition service() {
    return ServerServiceDefinition.builder(SERVICE)
        .addMethod(
            ECHO,
            ServerCalls.asyncUnaryCall(
                (request, response) -> {
                  response.onNext(request);
                  response.onCompleted();
                }))
        .addMethod(
            SINK,
            ServerCalls.asyncClientStreamingCall(
                response ->
                    new StreamObserver<byte[]>() {
                      private long total;

                      @Override
                      public void onNext(byte[] chunk) {
                        total += chunk.length;
                      }

                      @Override
                      public void onError(Throwable t) {}

                      @Override
                      public void onCompleted() {
                        response.onNext(encodeTotal(total));
                        response.onCompleted();
                      }
                    }))
        .build();
  }

  /** The {@link #SINK} response for {@code total} bytes: 8 bytes, big-endian. */
  static byte[] encodeTotal(long total) {
    return ByteBuffer.allocate(Long.BYTES).putLong(total).array();
  }

  /**
   * The byte count in a {@link #SINK} response.
   *
   * @throws IllegalArgumentException if the response is not 8 bytes long
   */
  static long decodeTotal(byte[] response) {
    if (response.length != Long.BYTES) {
      throw new IllegalArgumentException("a Sink response has 8 bytes, got " + response.length);
    }
    return ByteBuffer.wrap(response).getLong();
  }

  private static MethodDescriptor<byte[], byte[]> method(MethodType type, String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(BytesMarshaller.INSTANCE)
        .setResponseMarshaller(BytesMarshaller.INSTANCE)
        .build();
  }

  /** Byte arrays as they are. Stateless. */
  private enum BytesMarshaller implements MethodDescriptor.Marshaller<byte[]> {
    INSTANCE;

    @Override
    public InputStream stream(byte[] value) {
      return new KnownLengthBytes(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  /** Tells gRPC the length up front, so it frames the message without buffering it first. */
  private static final class KnownLengthBytes extends ByteArrayInputStream implements KnownLength {
    KnownLengthBytes(byte[] bytes) {
      super(bytes);
    }
  }
}
