package dev.ballast.spring;

import dev.ballast.cache.Codec;
import java.util.Arrays;
import org.springframework.cache.support.NullValue;

/**
 * Codes Spring's {@link NullValue} as one byte {@code 0} and any other value as {@code 1} followed by the value
 * codec's bytes, so a cached null survives the trip through Redis without Java serialization.
 */
final class NullMarkingCodec implements Codec<Object> {

  private static final byte NULL = 0;
  private static final byte VALUE = 1;

  private final Codec<Object> values;

  NullMarkingCodec(Codec<Object> values) {
    this.values = values;
  }

  @Override
  public byte[] encode(Object value) {
    if (value == NullValue.INSTANCE) {
      return new byte[] {NULL};
    }
    byte[] encoded = values.encode(value);
    byte[] out = new byte[encoded.length + 1];
    out[0] = VALUE;
    System.arraycopy(encoded, 0, out, 1, encoded.length);
    return out;
  }

  @Override
  public Object decode(byte[] bytes) {
    if (bytes.length == 1 && bytes[0] == NULL) {
      return NullValue.INSTANCE;
    }
    if (bytes.length == 0 || bytes[0] != VALUE) {
      throw new IllegalArgumentException("not a value written by Ballast's Spring cache (marker "
          + (bytes.length == 0 ? "missing" : Byte.toString(bytes[0])) + ")");
    }
    return values.decode(Arrays.copyOfRange(bytes, 1, bytes.length));
  }

  @Override
  public String toString() {
    return "NullMarkingCodec[" + values + "]";
  }
}
