package dev.ballast.redis.internal;

import dev.ballast.core.internal.Check;

/** The one rule for the Redis key names of Ballast's components (queues, fleet-wide limiters). */
public final class KeyNames {

  private KeyNames() {}

  /**
   * The base of every key of one component: {@code aclPrefix{keyPrefix:kind:name}}. The hash tag keeps all
   * of the component's keys in one Cluster slot; the ACL prefix before it lets one ACL key pattern
   * ({@code ~aclPrefix*}) cover them.
   */
  public static String base(String aclPrefix, String keyPrefix, String kind, String name) {
    return aclPrefix + "{" + keyPrefix + ":" + kind + ":" + name + "}";
  }

  /**
   * Checks an ACL prefix: at most 100 characters, without '{' or '}' (it goes before the hash tag).
   *
   * @return {@code prefix}
   * @throws IllegalArgumentException naming {@code field}
   * @throws NullPointerException naming {@code field} if null
   */
  public static String checkAclPrefix(String prefix, String field) {
    Check.notNull(prefix, field);
    Check.atMost(prefix.length(), 100, field + " length");
    if (prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException(field + " must not contain '{' or '}' (it goes before the hash tag), was '"
          + prefix + "'");
    }
    return prefix;
  }

  /**
   * Checks a key prefix: not blank, without '{' or '}' (it goes inside the hash tag).
   *
   * @return {@code prefix}
   * @throws IllegalArgumentException naming {@code field}
   * @throws NullPointerException naming {@code field} if null
   */
  public static String checkKeyPrefix(String prefix, String field) {
    Check.notBlank(prefix, field);
    if (prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException(field + " must not contain '{' or '}', was '" + prefix + "'");
    }
    return prefix;
  }
}
