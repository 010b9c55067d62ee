package dev.ballast.redis;

import dev.ballast.core.internal.Check;

/**
 * The one rule for putting a user's key inside a Redis Cluster hash tag, so that every Redis key a
 * component derives from it ({@code <prefix>{<tag>}<suffix>}) lands in one slot and one script may touch
 * them all.
 *
 * <p>Redis Cluster hashes only what is between the first {@code {} and the next {@code }}, and the whole
 * name when that is empty. A user's key may be empty, start with {@code }}, hold {@code {} or {@code }}
 * or any bytes, so it cannot go between the braces as it is. {@link #tag(byte[])} writes {@code %} as
 * {@code %25}, {@code }} as {@code %7D} and the empty key as a lone {@code %} (which escaping never
 * produces): the result is never empty, holds no {@code }}, and distinct keys give distinct tags. A
 * {@code {} inside the tag is harmless (only the first {@code {} of the name counts), but the prefix
 * before the tag must hold no {@code {} at all, or the tag would not be the name's first.
 *
 * <pre>{@code
 * byte[] value = HashTags.name(prefix, userKey, ":v");   // prefix{escaped-key}:v
 * byte[] lease = HashTags.name(prefix, userKey, ":l");   // same slot
 * }</pre>
 */
public final class HashTags {

  private HashTags() {}

  /**
   * Returns the tag content for {@code key}: never empty, no {@code }}, injective.
   *
   * @throws NullPointerException if {@code key} is null
   */
  public static byte[] tag(byte[] key) {
    Check.notNull(key, "key");
    if (key.length == 0) {
      return new byte[] {'%'};
    }
    int escapes = 0;
    for (byte b : key) {
      if (b == '%' || b == '}') {
        escapes++;
      }
    }
    if (escapes == 0) {
      return key.clone();
    }
    byte[] tag = new byte[key.length + 2 * escapes];
    int at = 0;
    for (byte b : key) {
      if (b == '%' || b == '}') {
        tag[at++] = '%';
        tag[at++] = (byte) (b == '%' ? '2' : '7');
        tag[at++] = (byte) (b == '%' ? '5' : 'D');
      } else {
        tag[at++] = b;
      }
    }
    return tag;
  }

  /**
   * Returns {@code prefix + "{" + tag(key) + "}" + suffix}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code prefix} holds a {@code {} (the tag would not be the first)
   */
  public static byte[] name(byte[] prefix, byte[] key, byte[] suffix) {
    checkPrefix(prefix, "prefix");
    Check.notNull(suffix, "suffix");
    byte[] tag = tag(key);
    byte[] name = new byte[prefix.length + tag.length + 2 + suffix.length];
    System.arraycopy(prefix, 0, name, 0, prefix.length);
    name[prefix.length] = '{';
    System.arraycopy(tag, 0, name, prefix.length + 1, tag.length);
    name[prefix.length + 1 + tag.length] = '}';
    System.arraycopy(suffix, 0, name, prefix.length + tag.length + 2, suffix.length);
    return name;
  }

  /**
   * Checks that {@code prefix} holds no {@code {}, naming {@code field} in the error.
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
