package dev.ballast.cache.internal;

import dev.ballast.redis.HashTags;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names in Redis: {@code <prefix>{<tag>}:v} for a value and {@code :l} for its lease, by the shared hash-tag
 * rule ({@link HashTags}, also the queue's and the limiter's), so a key's value and lease share a Redis
 * Cluster slot and one script may touch both, for every key (the empty one and keys holding braces
 * included). The prefix holds no brace ({@code TieredCacheConfig} refuses one), so the tag is always the
 * name's first. Immutable.
 */
final class KeySpace {

  private static final byte[] VALUE = {':', 'v'};
  private static final byte[] LEASE = {':', 'l'};

  private final byte[] prefix;

  KeySpace(String prefix) {
    this.prefix = HashTags.checkPrefix(prefix.getBytes(StandardCharsets.UTF_8), "keyPrefix");
  }

  byte[] value(byte[] encodedKey) {
    return HashTags.name(prefix, encodedKey, VALUE);
  }

  byte[] lease(byte[] encodedKey) {
    return HashTags.name(prefix, encodedKey, LEASE);
  }

  /** A {@code SCAN MATCH} pattern for every key of this cache (the prefix with glob characters escaped). */
  byte[] pattern() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte b : prefix) {
      if (b == '*' || b == '?' || b == '[' || b == ']' || b == '\\') {
        out.write('\\');
      }
      out.write(b);
    }
    out.write('*');
    return out.toByteArray();
  }

  /** A random lease token: 128 bits, so two loads never hold the same one. */
  static byte[] token() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    return (Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong()))
        .getBytes(StandardCharsets.US_ASCII);
  }
}
