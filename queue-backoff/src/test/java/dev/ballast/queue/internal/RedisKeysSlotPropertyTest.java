package dev.ballast.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Every key the queue's script derives from a queue's base ({@code base .. ':job:' .. id}, {@code
 * ':ready:<type>:<priority>'}, {@code ':dead'}, ...) lands in the base's slot, for every prefix and name
 * {@code QueueConfig} accepts and any suffix bytes (job ids and types are user input), checked with the
 * cluster's slot function. The limiter's one key needs nothing more: one key is always one slot.
 */
class RedisKeysSlotPropertyTest {

  @Property(tries = 3000)
  void everyDerivedKeyOfAQueueSharesTheBasesSlot(
      @ForAll("aclPrefixes") String aclPrefix,
      @ForAll("keyPrefixes") String keyPrefix,
      @ForAll("names") String name,
      @ForAll byte[] suffix) {
    byte[] base = RedisKeys.base(aclPrefix, keyPrefix, "queue", name).getBytes(StandardCharsets.UTF_8);
    byte[] derived = new byte[base.length + suffix.length];
    System.arraycopy(base, 0, derived, 0, base.length);
    System.arraycopy(suffix, 0, derived, base.length, suffix.length);
    assertThat(SlotHash.getSlot(derived)).isEqualTo(SlotHash.getSlot(base));
  }

  @Provide
  Arbitrary<String> aclPrefixes() {
    // QueueConfig.checkAclPrefix: at most 100 characters, no braces.
    return Arbitraries.strings().ofMaxLength(30).filter(s -> s.indexOf('{') < 0 && s.indexOf('}') < 0);
  }

  @Provide
  Arbitrary<String> keyPrefixes() {
    // QueueConfig: not blank, no braces.
    return Arbitraries.strings().ofMinLength(1).ofMaxLength(30)
        .filter(s -> !s.isBlank() && s.indexOf('{') < 0 && s.indexOf('}') < 0);
  }

  @Provide
  Arbitrary<String> names() {
    // QueueConfig.name: [A-Za-z0-9._-]{1,64}.
    return Arbitraries.strings().withChars("abcXYZ019._-").ofMinLength(1).ofMaxLength(64);
  }
}
