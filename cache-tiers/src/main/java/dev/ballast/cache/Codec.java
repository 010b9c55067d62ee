package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.StrictUtf8;
import java.nio.charset.StandardCharsets;

/**
 * Turns keys and values into bytes for Redis and back. Explicit by design: Ballast never uses Java
 * native serialization for anything it reads from Redis. Built in: {@link #bytes()}, {@link #utf8()};
 * JSON through Jackson with {@link JsonCodec} (Jackson is an optional dependency).
 *
 * <p>A key codec must round-trip: {@code decode(encode(k)).equals(k)}, because invalidation messages carry
 * encoded keys that other instances decode to evict their L1 entry. So it is injective: two different keys
 * never encode to the same bytes (else they would share one Redis entry, and one caller could read or
 * overwrite another's value). A key it cannot encode without loss must be refused with an
 * {@link IllegalArgumentException}, never approximated.
 *
 * @param <T> the type encoded
 */
public interface Codec<T> {

  /**
   * Encodes a non-null value.
   *
   * @throws RuntimeException if the value cannot be encoded
   */
  byte[] encode(T value);

  /**
   * Decodes bytes written by {@link #encode}. The cache treats any exception thrown here as corrupt bytes:
   * a counted miss, never an exception to its caller.
   *
   * @throws RuntimeException if the bytes do not decode
   */
  T decode(byte[] bytes);

  /**
   * The identity codec for {@code byte[]} values (no copy: do not mutate arrays handed to or returned by a
   * cache). Not for keys: arrays compare by identity.
   */
  static Codec<byte[]> bytes() {
    return BuiltInCodecs.BYTES;
  }

  /**
   * Strings as UTF-8, losslessly both ways: a string holding a lone surrogate (half of a UTF-16 pair, such
   * as {@code "user:\uD800"}) fails to encode with an {@link IllegalArgumentException} naming its index,
   * instead of becoming {@code ?} and sharing {@code "user:?"}'s bytes; malformed bytes fail to decode
   * rather than turning into replacement characters. Injective, so fit for keys.
   */
  static Codec<String> utf8() {
    return BuiltInCodecs.UTF8;
  }
}

/** The codecs {@link Codec} offers; stateless singletons. */
final class BuiltInCodecs {

  static final Codec<byte[]> BYTES = new Codec<>() {
    @Override
    public byte[] encode(byte[] value) {
      return value;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }

    @Override
    public String toString() {
      return "Codec.bytes()";
    }
  };

  static final Codec<String> UTF8 = new Codec<>() {
    @Override
    public byte[] encode(String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      // Java writes '?' for a lone surrogate: only a string whose bytes hold a '?' needs the closer look.
      for (byte b : bytes) {
        if (b == '?') {
          String lone = loneSurrogate(value);
          if (lone != null) {
            throw new IllegalArgumentException("Codec.utf8(): " + lone);
          }
          break;
        }
      }
      return bytes;
    }

    /** Where the first unpaired surrogate is, or null when every surrogate is paired. */
    private @Nullable String loneSurrogate(String value) {
      for (int i = 0; i < value.length(); i++) {
        char c = value.charAt(i);
        if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
          i++;
        } else if (Character.isSurrogate(c)) {
          return String.format("the string has a lone surrogate U+%04X at index %d (of %d chars), which UTF-8"
              + " cannot encode; it would become '?' and share another string's bytes", (int) c, i, value.length());
        }
      }
      return null;
    }

    @Override
    public String decode(byte[] bytes) {
      return StrictUtf8.decode(bytes, "cached bytes");
    }

    @Override
    public String toString() {
      return "Codec.utf8()";
    }
  };

  private BuiltInCodecs() {}
}
