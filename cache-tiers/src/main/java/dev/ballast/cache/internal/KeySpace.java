package dev.ballast.cache.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names in Redis: {@code <prefix>{<key bytes>}:v} for a value and {@code :l} for its lease. The braces
 * are a hash tag, so a key's value and lease share a Redis Cluster slot and one script may touch both.
 * Immutable.
 */
final class KeySpace {

  private final byte[] prefix;

  KeySpace(String prefix) {
    this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
  }

  byte[] value(byte[] encodedKey) {
    return name(encodedKey, 'v');
  }

  byte[] lease(byte[] encodedKey) {
    return name(encodedKey, 'l');
  }

  private byte[] name(byte[] encodedKey, char kind) {
    byte[] name = new byte[prefix.length + encodedKey.length + 4];
    System.arraycopy(prefix, 0, name, 0, prefix.length);
    name[prefix.length] = '{';
    System.arraycopy(encodedKey, 0, name, prefix.length + 1, encodedKey.length);
    int at = prefix.length + 1 + encodedKey.length;
    name[at] = '}';
    name[at + 1] = ':';
    name[at + 2] = (byte) kind;
    return name;
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
