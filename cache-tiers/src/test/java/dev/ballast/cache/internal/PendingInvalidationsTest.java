package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

/** The backlog of invalidations Redis did not take: bounded, and a replay never forgets a newer deferral. */
class PendingInvalidationsTest {

  private static byte[] key(int i) {
    return ("k" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static String text(byte[] key) {
    return new String(key, StandardCharsets.UTF_8);
  }

  @Test
  void pastItsBoundTheBacklogCollapsesIntoOneInvalidationOfEverythingAndCountsTheDroppedKeys() {
    CacheMeters meters = new CacheMeters("t", null);
    PendingInvalidations pending = new PendingInvalidations(3, meters, key -> key);
    for (int i = 0; i < 3; i++) {
      pending.add(key(i));
    }
    assertThat(pending.size()).isEqualTo(3);
    pending.add(key(3));

    PendingInvalidations.Batch batch = pending.snapshot();
    assertThat(batch.everything()).isTrue();
    assertThat(batch.keys()).isEmpty();
    assertThat(pending.size()).isEqualTo(1);
    assertThat(meters.invalidationsDropped.sum()).isEqualTo(4);
    pending.replayed(batch);
    assertThat(pending.isEmpty()).isTrue();
    assertThat(meters.invalidationsReplayed.sum()).isEqualTo(1);
  }

  @Test
  void aPutThatReachedRedisTakesItsKeyOutOfTheBacklog() {
    PendingInvalidations pending = new PendingInvalidations(10, new CacheMeters("t", null), key -> key);
    pending.add(key(1));
    pending.add(key(2));
    pending.applied(key(1));
    assertThat(pending.snapshot().keys()).extracting(PendingInvalidationsTest::text).containsExactly("k2");
  }

  /**
   * Whatever is deferred between a snapshot and its replay stays pending: the replay forgets exactly the
   * deferrals it carried, so no write is lost to a replay that raced with it.
   */
  @Property(tries = 200)
  void aReplayForgetsOnlyWhatItCarried(@ForAll @Size(max = 30) List<@IntRange(max = 8) Integer> before,
      @ForAll @Size(max = 30) List<@IntRange(max = 8) Integer> during, @ForAll boolean allDuring) {
    PendingInvalidations pending = new PendingInvalidations(5, new CacheMeters("t", null), PendingInvalidationsTest::read);
    before.forEach(i -> pending.add(key(i)));
    PendingInvalidations.Batch batch = pending.snapshot();
    during.forEach(i -> pending.add(key(i)));
    if (allDuring) {
      pending.addAll();
    }
    pending.replayed(batch);

    PendingInvalidations.Batch left = pending.snapshot();
    Set<String> leftKeys = new HashSet<>();
    left.keys().forEach(k -> leftKeys.add(text(k)));
    if (left.everything()) {
      return; // everything is still to be replayed: covers every key
    }
    assertThat(allDuring).as("an 'everything' deferred during the replay was forgotten").isFalse();
    boolean overflowedBefore = new HashSet<>(before).size() > 5;
    assertThat(overflowedBefore && !during.isEmpty()).as("keys deferred under a pending 'everything' were forgotten")
        .isFalse();
    for (int i : during) {
      assertThat(leftKeys).as("deferred during the replay").contains("k" + i);
    }
    // Reads are blocked for exactly the keys still pending.
    for (int i = 0; i <= 8; i++) {
      assertThat(pending.blocks(("v:k" + i).getBytes(StandardCharsets.UTF_8))).as("k" + i + " blocked")
          .isEqualTo(leftKeys.contains("k" + i));
    }
  }

  @Test
  void readsAreBlockedForThePendingKeysOnlyOrAllWhileEverythingIsPending() {
    PendingInvalidations pending = new PendingInvalidations(10, new CacheMeters("t", null), PendingInvalidationsTest::read);
    assertThat(pending.blocks(read(key(1)))).isFalse();
    pending.add(key(1));
    assertThat(pending.blocks(read(key(1)))).isTrue();
    assertThat(pending.blocks(read(key(2)))).isFalse();
    pending.applied(key(1));
    assertThat(pending.blocks(read(key(1)))).isFalse();
    pending.addAll();
    assertThat(pending.blocks(read(key(2)))).isTrue();
    pending.replayed(pending.snapshot());
    assertThat(pending.blocks(read(key(2)))).isFalse();
  }

  private static byte[] read(byte[] encodedKey) {
    return ("v:" + new String(encodedKey, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
  }
}
