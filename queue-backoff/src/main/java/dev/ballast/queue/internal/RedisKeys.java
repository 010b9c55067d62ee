package dev.ballast.queue.internal;

import dev.ballast.redis.internal.KeyNames;

/** This module's Redis key names, by the rule of {@link KeyNames}. */
final class RedisKeys {

  private RedisKeys() {}

  /**
   * The base of every key of one component: {@code aclPrefix{keyPrefix:kind:name}}. The hash tag keeps all
   * of the component's keys in one Cluster slot; the ACL prefix before it lets one ACL key pattern
   * ({@code ~aclPrefix*}) cover them.
   */
  static String base(String aclPrefix, String keyPrefix, String kind, String name) {
    return KeyNames.base(aclPrefix, keyPrefix, kind, name);
  }
}
