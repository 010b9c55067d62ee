package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.SlotHash;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The slot of a hot key is moved to another master while four cache instances (each on its own cluster
 * client) read it and three neighbours in the same slot ({@code get}, and {@code getAll} with keys on other
 * slots) and a writer puts new versions, with the real sequence ({@link RedisCluster#beginMigration}:
 * {@code SETSLOT IMPORTING/MIGRATING}, {@code GETKEYSINSLOT} + {@code MIGRATE ... KEYS} a few keys at a time,
 * {@code SETSLOT NODE} on every master). The hot key is chosen in the slot of the cache's invalidation
 * channel, so on 7.x the sharded subscriptions move with it (the old owner unsubscribes them, the port
 * subscribes again at the new one); on 6.2 the channel is classic and stays where it is.
 *
 * <p>While keys of the slot are split between the two nodes, Redis answers {@code ASK} for a key that has
 * moved and {@code TRYAGAIN} for a script whose value and lease keys are not on one node: single {@code GET}s
 * follow the redirect in Lettuce, scripts that cannot run are the cache's Redis failures (a put returns
 * {@code DEFERRED} and is replayed, a miss falls back to the loader), counted, never thrown.
 *
 * <p>About 10 s plus the cluster's launch.
 */
class ClusterSlotMigrationTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterSlotMigrationTest.class);

  @RegisterExtension static final RedisClusterExtension CLUSTER = RedisClusterExtension.create();

  private static final String NAME = "migration";
  private static final Duration WHILE_DISCONNECTED = Duration.ofMillis(500);
  /** As in {@link ClusterFailoverTest}: {@code l1TtlWhileDisconnected} + detection + a margin for the machine. */
  private static final Duration BOUND = WHILE_DISCONNECTED.plusMillis(125 + 250 + 100).plusSeconds(1);
  /** Keys of other caches' data in the slot, so that moving it takes a while (the cache's own are few). */
  private static final int FILLER_KEYS = 300;

  @Test
  void readersSeeNoExceptionAndNoLostWriteWhileTheHotKeysSlotMoves(RedisCluster cluster) throws Exception {
    int slot = SlotHash.getSlot("ballast:cache:" + NAME + ":invalidations");
    List<String> inSlot = keysInSlot(slot, 4);
    String hot = inSlot.get(0);
    List<String> keys = new ArrayList<>(inSlot);
    for (int i = 0; keys.size() < 10; i++) {
      if (SlotHash.getSlot("o" + i) != slot) {
        keys.add("o" + i); // on other slots: getAll spans the moving slot and others
      }
    }
    RedisServer from = cluster.masterForSlot(slot);
    RedisServer to = cluster.masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();

    try (TestFleet fleet = new TestFleet(TestFleet.TestRedis.of(cluster), NAME)) {
      List<TieredCache<String, String>> caches = new ArrayList<>();
      List<SimpleMeterRegistry> meters = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        meters.add(registry);
        caches.add(fleet.addStrict(b -> b.meterRegistry(registry).l1Ttl(Duration.ofSeconds(30))
            .ttl(Duration.ofMinutes(5)).redisTimeout(Duration.ofMillis(250)).l1TtlWhileDisconnected(WHILE_DISCONNECTED)));
      }
      for (int i = 0; i < FILLER_KEYS; i++) {
        fleet.redis.set("filler:{" + hot + "}:" + i, "x");
      }

      FailoverRun run = new FailoverRun(caches, keys, hot);
      run.start();
      RedisCluster.SlotMigration migration = cluster.beginMigration(slot, from, to);
      int invalidations = 0;
      // A few keys per step, each step after the load made progress: the load runs against every split.
      while (migration.moveKeys(5) > 0) {
        int before = run.readCount();
        await().atMost(Duration.ofSeconds(10)).until(() -> run.readCount() >= before + 40);
        // Misses in the moving slot run the lease script there.
        WriteResult result = caches.get(invalidations % caches.size()).invalidate(inSlot.get(1 + invalidations % 3));
        assertThat(result).isNotNull();
        invalidations++;
      }
      migration.finish();
      run.runFor(Duration.ofSeconds(2));

      log.info("Slot {} moved from {} to {} ({} keys) under load: {} reads, {} acknowledged writes, {} deferred,"
          + " {} invalidations, {} exceptions; per instance: resyncs {}, Redis errors {} {}, fallbacks {}", slot,
          from, to, migration.moved(), run.readCount(), run.acknowledgedWrites(), run.deferred.get(), invalidations,
          run.exceptions.size(), counts(meters, "ballast.cache.resyncs"), counts(meters, "ballast.redis.errors"),
          errorKinds(meters), counts(meters, "ballast.redis.fallbacks"));
      assertThat(run.exceptions).as("caller exceptions").isEmpty();
      // A put the slot's migration kept from Redis (TRYAGAIN until the keys' new owner is settled, or the
      // timeout) is DEFERRED, never thrown, and counted as a Redis error of its instance.
      assertThat(counts(meters, "ballast.redis.errors").stream().mapToLong(Long::longValue).sum())
          .isGreaterThanOrEqualTo(run.deferred.get());
      assertThat(migration.moved()).isGreaterThan(FILLER_KEYS);
      assertThat(cluster.masterForSlot(slot)).isEqualTo(to);
      assertThat(run.staleReads(BOUND)).as("reads older than an acknowledged write by more than " + BOUND).isEmpty();
      assertThat(run.lostWrites(fleet::inRedis)).as("entries older than their last acknowledged write").isEmpty();
      if (cluster.version().atLeast("7.0")) {
        // Sharded: the old owner dropped every instance's subscription; each was moved and L1 retired.
        assertThat(counts(meters, "ballast.cache.resyncs")).allSatisfy(n -> assertThat(n).isGreaterThanOrEqualTo(1));
      }

      // After the move, a put of the hot key on one instance reaches the other instances' L1 within the bound.
      for (TieredCache<String, String> cache : caches) {
        cache.get(hot, k -> k + "#L#0");
      }
      String fresh = hot + "#P#" + Long.MAX_VALUE;
      assertThat(caches.get(0).put(hot, fresh)).isEqualTo(WriteResult.APPLIED);
      await().atMost(BOUND).untilAsserted(() -> {
        for (TieredCache<String, String> cache : caches) {
          assertThat(cache.get(hot, k -> "loaded")).isEqualTo(fresh);
        }
      });
    }
  }

  /** {@code count} cache keys whose hash tag puts them in {@code slot}. */
  private static List<String> keysInSlot(int slot, int count) {
    List<String> found = new ArrayList<>();
    for (int i = 0; found.size() < count; i++) {
      if (SlotHash.getSlot("h" + i) == slot) {
        found.add("h" + i);
      }
    }
    return found;
  }

  /** {@code ballast.redis.errors} of all instances by kind. */
  private static java.util.Map<String, Long> errorKinds(List<SimpleMeterRegistry> meters) {
    java.util.Map<String, Long> kinds = new java.util.TreeMap<>();
    for (MeterRegistry registry : meters) {
      Search.in(registry).name("ballast.redis.errors").counters().forEach(c ->
          kinds.merge(String.valueOf(c.getId().getTag("kind")), Math.round(c.count()), Long::sum));
    }
    return kinds;
  }

  private static List<Long> counts(List<SimpleMeterRegistry> meters, String name) {
    List<Long> counts = new ArrayList<>();
    for (MeterRegistry registry : meters) {
      counts.add(Math.round(Search.in(registry).name(name).functionCounters().stream()
          .mapToDouble(c -> c.count()).sum() + Search.in(registry).name(name).counters().stream()
          .mapToDouble(c -> c.count()).sum()));
    }
    return counts;
  }
}
