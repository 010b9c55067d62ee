package dev.ballast.redis;

import dev.ballast.core.internal.Check;

/**
 * The one rule for putting a user's key inside a Redis Cluster hash tag, so that every Redis key a
 * component derives from it ({@code <prefix>{<tag>}<suffix>}) lands in one slot and one script may touch
 * them all.
 *
 * <p>Redis Cluster hashes only what is between the first <code>&#123;</code> and the next <code>&#125;</code>, and the whole
 * name when that is empty. A user's key may be empty, start with <code>&#125;</code>, hold <code>&#123;</code> or <code>&#125;</code>
 * or any bytes, so it cannot go between the braces as it is. {@link #tag(byte[])} writes {@code %} as
 * {@code %25}, <code>&#125;</code> as {@code %7D} and the empty key as a lone {@code %} (which escaping never
 * produces): the result is never empty, holds no <code>&#125;</code>, and distinct keys give distinct tags. A
 * <code>&#123;</code> inside the tag is harmless (only the first <code>&#123;</code> of the name counts), but the prefix
 * before the tag must hold no <code>&#123;</code> at all, or the tag would not be the name's first.
 *
 * <pre>{@code
 * byte[] value = HashTags.name(prefix, userKey, ":v");   // prefix{escaped-key}:v
 * byte[] lease = HashTags.name(prefix, userKey, ":l");   // same slot
 * }</pre>
 */
public final class HashTags {

  private HashTags() {}

  /**
   * Returns the tag content for {@code key}: never empty, no <code>&#125;</code>, injective.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static byte[] tag(byte[] key) {
    Check.notNull(key, "key");
    byte[] tag = new byte[tagLength(key)];
    writeTag(key, tag, 0);
    return tag;
  }

  /** The length of {@code tag(key)}, without building it. */
  private static int tagLength(byte[] key) {
    if (key.length == 0) {
      return 1;
    }
    int escapes = 0;
    for (byte b : key) {
      if (b == '%' || b == '}') {
        escapes++;
      }
    }
    return key.length + 2 * escapes;
  }

  /** Writes {@code tag(key)} into {@code name} at {@code at}; returns the index after it. */
  private static int writeTag(byte[] key, byte[] name, int at) {
    if (key.length == 0) {
      name[at++] = '%'; // never the result of escaping, where every % is followed by two hex digits
      return at;
    }
    for (byte b : key) {
      if (b == '%' || b == '}') {
        name[at++] = '%';
        name[at++] = (byte) (b == '%' ? '2' : '7');
        name[at++] = (byte) (b == '%' ? '5' : 'D');
      } else {
        name[at++] = b;
      }
    }
    return at;
  }

  /**
   * Returns {@code prefix + "{" + tag(key) + "}" + suffix}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code prefix} holds a <code>&#123;</code> (the tag would not be the first)
   */
  public static byte[] name(byte[] prefix, byte[] key, byte[] suffix) {
    checkPrefix(prefix, "prefix");
    Check.notNull(key, "key");
    Check.notNull(suffix, "suffix");
    // One allocation: names are built on the cache's read path.
    byte[] name = new byte[prefix.length + tagLength(key) + 2 + suffix.length];
    System.arraycopy(prefix, 0, name, 0, prefix.length);
    int at = prefix.length;
    name[at++] = '{';
    at = writeTag(key, name, at);
    name[at++] = '}';
    System.arraycopy(suffix, 0, name, at, suffix.length);
    return name;
  }

  /**
   * Checks that {@code prefix} holds no <code>&#123;</code>, naming {@code field} in the error.
   *
   * @throws IllegalArgumentException if it does
   */
  public static byte[] checkPrefix(byte[] prefix, String field) {
    Check.notNull(prefix, field);
    for (byte b : prefix) {
      if (b == '{') {
        throw new IllegalArgumentException(
            field + " must not contain '{': it would start the Redis Cluster hash tag before the key's own");
      }
    }
    return prefix;
  }
}
