package dev.ballast.cache;

import dev.ballast.core.internal.StrictUtf8;
import java.nio.charset.StandardCharsets;

/**
 * Turns keys and values into bytes for Redis and back. Explicit by design: Ballast never uses Java
 * native serialization for anything it reads from Redis. Built in: {@link #bytes()}, {@link #utf8()};
 * JSON through Jackson with {@link JsonCodec} (Jackson is an optional dependency).
 *
 * <p>A key codec must round-trip: {@code decode(encode(k)).equals(k)}, because invalidation messages carry
 * encoded keys that other instances decode to evict their L1 entry.
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

  /** Strings as UTF-8; malformed bytes fail to decode rather than turning into replacement characters. */
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
      return value.getBytes(StandardCharsets.UTF_8);
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
