package dev.pluginhost.host.internal.typed;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import dev.pluginhost.host.Codec;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;

/**
 * {@link Codec#proto}: one generated message class in the protobuf wire format. Reads only through
 * the class's own parser, the schema; a parse failure becomes an IllegalArgumentException, so
 * protobuf's checked exception never reaches a caller.
 */
public final class ProtoCodec<M extends MessageLite> implements Codec<M> {
  // Looked up once per class: a proxy or a shortcut call may ask for the same class on every call.
  private static final ClassValue<Parser<?>> PARSERS =
      new ClassValue<>() {
        @Override
        protected Parser<?> computeValue(Class<?> type) {
          return findParser(type);
        }
      };

  private final Parser<M> parser;
  private final String typeName;

  private ProtoCodec(Parser<M> parser, String typeName) {
    this.parser = parser;
    this.typeName = typeName;
  }

  /**
   * The codec of a generated message class.
   *
   * @throws IllegalArgumentException if {@code type} is not one, saying why
   */
  @SuppressWarnings("unchecked") // findParser checked the parser's messages are of this class.
  public static <M extends MessageLite> ProtoCodec<M> of(Class<M> type) {
    checkNotNull(type, "type");
    return new ProtoCodec<>((Parser<M>) PARSERS.get(type), nameOf(type));
  }

  /** The codec that reads with {@code parser}, named after the class of the messages it makes. */
  public static <M extends MessageLite> ProtoCodec<M> of(Parser<M> parser) {
    checkNotNull(parser, "parser");
    String name;
    try {
      // Zero bytes are the default message in every syntax; partial, so proto2 required fields
      // do not matter here.
      name = nameOf(parser.parsePartialFrom(new byte[0]).getClass());
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      name = "protobuf message";
    }
    return new ProtoCodec<>(parser, name);
  }

  @Override
  public byte[] encode(M value) {
    return checkNotNull(value, "value").toByteArray();
  }

  @Override
  public M decode(byte[] bytes) {
    checkNotNull(bytes, "bytes");
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  @Override
  public String typeName() {
    return typeName;
  }

  @Override
  public String toString() {
    return "Codec.proto(" + typeName + ")";
  }

  private static Parser<?> findParser(Class<?> type) {
    checkArgument(
        MessageLite.class.isAssignableFrom(type)
            && !type.isInterface()
            && !Modifier.isAbstract(type.getModifiers()),
        "%s is not a generated protobuf message class",
        type.getName());
    Method getDefaultInstance;
    try {
      getDefaultInstance = type.getMethod("getDefaultInstance");
    } catch (NoSuchMethodException e) {
      throw new IllegalArgumentException(
          type.getName() + " has no public getDefaultInstance(); is it a generated protobuf message class?", e);
    }
    checkArgument(
        Modifier.isStatic(getDefaultInstance.getModifiers()),
        "%s.getDefaultInstance() is not static; is it a generated protobuf message class?",
        type.getName());
    Object instance;
    try {
      instance = getDefaultInstance.invoke(null);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalArgumentException("cannot get " + type.getName() + "'s default instance: " + e, e);
    }
    checkArgument(
        type.isInstance(instance),
        "%s.getDefaultInstance() returned a %s, not a %s",
        type.getName(),
        instance == null ? "null" : instance.getClass().getName(),
        type.getSimpleName());
    return ((MessageLite) instance).getParserForType();
  }

  private static String nameOf(Class<?> type) {
    String canonical = type.getCanonicalName();
    return canonical != null ? canonical : type.getName();
  }
}
