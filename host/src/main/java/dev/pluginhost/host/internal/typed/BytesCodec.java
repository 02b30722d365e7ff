package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.Codec;

/** {@link Codec#bytes()}: the bytes as they are, neither copied nor checked. */
public final class BytesCodec implements Codec<byte[]> {
  public static final BytesCodec INSTANCE = new BytesCodec();

  private BytesCodec() {}

  @Override
  public byte[] encode(byte[] value) {
    return checkNotNull(value, "value");
  }

  @Override
  public byte[] decode(byte[] bytes) {
    return checkNotNull(bytes, "bytes");
  }

  @Override
  public String typeName() {
    return "bytes";
  }

  @Override
  public String toString() {
    return "Codec.bytes()";
  }
}
