package dev.pluginhost.host;

import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.pluginhost.host.internal.typed.BytesCodec;
import dev.pluginhost.host.internal.typed.ProtoCodec;
import dev.pluginhost.host.internal.typed.TextCodec;

/**
 * How a typed call turns its input into the bytes a plugin's function takes, and the function's
 * reply back into a value. See {@link PluginHandle#function}.
 *
 * <pre>{@code
 * TypedFunction<Num, Num> square = plugin.function("square", Codec.proto(Num.class), Codec.proto(Num.class));
 * }</pre>
 *
 * <p>A plugin's reply becomes a host object only through a codec, and the codecs given here read
 * it through a schema (protobuf, UTF-8) or not at all (bytes): never through Java serialization.
 * A codec of your own should keep that promise.
 *
 * <p>Implementations must be thread-safe: one codec serves every call that uses it, at once, and
 * must not block: for asynchronous calls and maps, replies are decoded on the thread that completes
 * the call, usually one of the host's I/O threads.
 *
 * @param <T> the type of value on the host's side
 */
public interface Codec<T> {

  /**
   * The bytes that stand for {@code value}.
   *
   * @throws NullPointerException if {@code value} is null
   */
  byte[] encode(T value);

  /**
   * The value {@code bytes} stand for. Never returns null.
   *
   * @throws IllegalArgumentException if {@code bytes} are not a {@code T}. A typed call turns any
   *     exception thrown here into a {@link PluginCallException} with INTERNAL; see {@link
   *     TypedFunction}.
   */
  T decode(byte[] bytes);

  /** The type this codec reads and writes, as error messages name it. */
  String typeName();

  /** Bytes as they are: encodes and decodes nothing, and never fails. */
  static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /**
   * Text as UTF-8, what a plugin's {@code registerText} functions take and give. Decoding is
   * strict: a reply that is not well-formed UTF-8 fails the call, where {@link
   * PluginHandle#callText} would put U+FFFD in place of the bad bytes. Encoding replaces an
   * unpaired surrogate with {@code '?'}, as {@link String#getBytes(java.nio.charset.Charset)}
   * does.
   */
  static Codec<String> text() {
    return TextCodec.INSTANCE;
  }

  /**
   * Protobuf messages of one generated class, in their binary wire format. The class's parser is
   * found through its static {@code getDefaultInstance()}, once per class; nothing is ever read
   * with {@code ObjectInputStream}.
   *
   * <p>Decoding fails when the bytes are not a well-formed message or lack a proto2 required
   * field. As protobuf always does, it accepts fields it does not know, and a reply of zero bytes
   * is the default message.
   *
   * @throws IllegalArgumentException if {@code type} is not a concrete generated message class
   */
  static <M extends MessageLite> Codec<M> proto(Class<M> type) {
    return ProtoCodec.of(type);
  }

  /**
   * Protobuf messages read with {@code parser}, as {@link #proto(Class)} does; for a message
   * class known only by its parser ({@code Num.parser()}).
   */
  static <M extends MessageLite> Codec<M> proto(Parser<M> parser) {
    return ProtoCodec.of(parser);
  }
}
