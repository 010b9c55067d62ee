package dev.ballast.cache.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Names in Redis: {@code <prefix>{<tag>}:v} for a value and {@code :l} for its lease. The braces are a
 * hash tag, so a key's value and lease share a Redis Cluster slot and one script may touch both.
 *
 * <p>The tag is the encoded key, readable as it is, except that {@code %} and {@code }} are written
 * {@code %25} and {@code %7D} and the empty key is written {@code %}: a {@code }} in the tag would end
 * it early, and an empty tag ({@code {}}, from the empty key or a key starting with {@code }}) makes Redis
 * Cluster hash the whole name, putting value and lease in different slots (CROSSSLOT). The escaping is
 * injective, so distinct keys keep distinct names. The prefix holds no brace ({@code TieredCacheConfig}
 * refuses one), so this tag is always the name's first. Immutable.
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
    int escapes = 0;
    for (byte b : encodedKey) {
      if (b == '%' || b == '}') {
        escapes++;
      }
    }
    int tagLength = encodedKey.length == 0 ? 1 : encodedKey.length + 2 * escapes;
    byte[] name = new byte[prefix.length + tagLength + 4];
    System.arraycopy(prefix, 0, name, 0, prefix.length);
    int at = prefix.length;
    name[at++] = '{';
    if (encodedKey.length == 0) {
      name[at++] = '%'; // never the result of escaping, where every % is followed by two hex digits
    } else if (escapes == 0) {
      System.arraycopy(encodedKey, 0, name, at, encodedKey.length);
      at += encodedKey.length;
    } else {
      for (byte b : encodedKey) {
        if (b == '%' || b == '}') {
          name[at++] = '%';
          name[at++] = (byte) (b == '%' ? '2' : '7');
          name[at++] = (byte) (b == '%' ? '5' : 'D');
        } else {
          name[at++] = b;
        }
      }
    }
    name[at++] = '}';
    name[at++] = ':';
    name[at] = (byte) kind;
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
