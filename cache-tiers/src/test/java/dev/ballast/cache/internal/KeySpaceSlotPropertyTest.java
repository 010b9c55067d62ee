package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.redis.HashTags;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * The cache's value and lease of one key share a Redis Cluster slot (its scripts touch both), for every
 * key a user can give, checked with the cluster's own slot function over arbitrary key bytes; and the
 * names are the shared {@link HashTags} rule's, so adopting it here changes no key in Redis.
 */
class KeySpaceSlotPropertyTest {

  @Property(tries = 3000)
  void valueAndLeaseOfEveryKeyShareOneSlot(@ForAll("prefixes") String prefix, @ForAll("keys") byte[] key) {
    KeySpace keys = new KeySpace(prefix);
    int slot = SlotHash.getSlot(keys.value(key));
    assertThat(SlotHash.getSlot(keys.lease(key))).isEqualTo(slot);
    assertThat(slot).isEqualTo(SlotHash.getSlot(HashTags.tag(key)));
  }

  @Property(tries = 1000)
  void namesAreTheSharedHashTagRule(@ForAll("prefixes") String prefix, @ForAll("keys") byte[] key) {
    KeySpace keys = new KeySpace(prefix);
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    assertThat(keys.value(key)).isEqualTo(HashTags.name(p, key, ":v".getBytes(StandardCharsets.US_ASCII)));
    assertThat(keys.lease(key)).isEqualTo(HashTags.name(p, key, ":l".getBytes(StandardCharsets.US_ASCII)));
  }

  @Provide
  Arbitrary<byte[]> keys() {
    Arbitrary<Byte> awkward = Arbitraries.of((byte) '{', (byte) '}', (byte) '%', (byte) 0, (byte) 0xff);
    return Arbitraries.frequencyOf(Tuple.of(1, awkward), Tuple.of(2, Arbitraries.bytes()))
        .array(byte[].class).ofMaxSize(40);
  }

  @Provide
  Arbitrary<String> prefixes() {
    // TieredCacheConfig refuses braces in the prefix; everything else is allowed.
    return Arbitraries.strings().ofMaxLength(20).filter(s -> s.indexOf('{') < 0 && s.indexOf('}') < 0);
  }
}
