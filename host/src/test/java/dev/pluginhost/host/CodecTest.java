package dev.pluginhost.host;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.GeneratedMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.StringValue;
import dev.pluginhost.proto.runner.v1.FunctionInfo;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CodecTest {

  @Test
  void proto_roundTripsAMessage() {
    Codec<FunctionInfo> codec = Codec.proto(FunctionInfo.class);
    FunctionInfo info = FunctionInfo.newBuilder().setName("square").build();

    assertEquals(info, codec.decode(codec.encode(info)));
    assertArrayEquals(info.toByteArray(), codec.encode(info));
  }

  @Test
  void proto_byParser_readsAsByClass_andIsNamedAfterTheMessageClass() {
    Codec<StringValue> codec = Codec.proto(StringValue.parser());

    assertEquals(StringValue.of("hi"), codec.decode(StringValue.of("hi").toByteArray()));
    assertEquals("com.google.protobuf.StringValue", codec.typeName());
  }

  @Test
  void proto_zeroBytes_isTheDefaultMessage() {
    assertEquals(StringValue.getDefaultInstance(), Codec.proto(StringValue.class).decode(new byte[0]));
  }

  @Test
  void proto_bytesThatDoNotParse_failWithIllegalArgument_causedByProtobufsException() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Codec.proto(StringValue.class).decode(new byte[] {0}));

    assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
    assertTrue(e.getMessage().contains("invalid tag"), e.getMessage());
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void proto_ofAClassThatIsNotAGeneratedMessage_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Codec.proto((Class) GeneratedMessage.class));

    assertTrue(e.getMessage().contains("not a generated protobuf message class"), e.getMessage());
  }

  @Test
  void text_roundTripsUnicodeAsUtf8() {
    Codec<String> codec = Codec.text();

    assertArrayEquals("grüße ✓".getBytes(StandardCharsets.UTF_8), codec.encode("grüße ✓"));
    assertEquals("grüße ✓", codec.decode(codec.encode("grüße ✓")));
  }

  @Test
  void text_malformedUtf8_isRefused() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Codec.text().decode(new byte[] {'o', 'k', (byte) 0xC3}));

    assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
  }

  @Test
  void bytes_passThroughUntouched() {
    byte[] bytes = {1, 2, 3};

    assertSame(bytes, Codec.bytes().encode(bytes));
    assertSame(bytes, Codec.bytes().decode(bytes));
  }

  @Test
  void encode_null_throwsNullPointer() {
    assertThrows(NullPointerException.class, () -> Codec.text().encode(null));
    assertThrows(NullPointerException.class, () -> Codec.proto(StringValue.class).encode(null));
  }
}
