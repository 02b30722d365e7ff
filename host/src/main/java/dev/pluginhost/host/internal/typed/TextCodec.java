package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkNotNull;

import dev.pluginhost.host.Codec;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** {@link Codec#text()}: UTF-8, lenient on the way out and strict on the way in. */
public final class TextCodec implements Codec<String> {
  public static final TextCodec INSTANCE = new TextCodec();

  private TextCodec() {}

  @Override
  public byte[] encode(String value) {
    return checkNotNull(value, "value").getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String decode(byte[] bytes) {
    checkNotNull(bytes, "bytes");
    try {
      // A fresh decoder per call: decoders keep state and are not thread-safe.
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("not well-formed UTF-8", e);
    }
  }

  @Override
  public String typeName() {
    return "UTF-8 text";
  }

  @Override
  public String toString() {
    return "Codec.text()";
  }
}
