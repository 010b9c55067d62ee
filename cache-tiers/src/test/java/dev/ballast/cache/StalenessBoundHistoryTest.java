package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The staleness bound, checked on a recorded history: writers on two instances and readers on four (each
 * instance on its own Lettuce client) record every operation (key, version, start, end) while Redis goes
 * through each state: subscription up, subscription dropped ({@code CLIENT KILL TYPE pubsub}), Redis
 * paused ({@code SIGSTOP}), stopped and restarted with its data (AOF), flushed. The check: no read that
 * started more than the bound of its state after a write returned saw an older version of that key.
 *
 * <p>Bounds checked (the README's table): {@code l1Ttl} while nothing is disturbed; in any other state
 * {@code l1TtlWhileDisconnected} plus detection (heartbeat tick + {@code redisTimeout} + the client's
 * reconnect delay), counted for a write made while Redis was unreachable from when Redis answers again
 * (its delete is replayed then). A margin for this shared two-core machine's scheduling is added to both:
 * the failures this test exists for are seconds (the soft expiry) or the rest of a TTL, not milliseconds.
 */
class StalenessBoundHistoryTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated(RedisServer.builder().appendOnly());

  private static final Duration L1_TTL = Duration.ofMillis(100);
  private static final Duration WHILE_DISCONNECTED = Duration.ofMillis(300);
  private static final Duration REDIS_TIMEOUT = Duration.ofMillis(100);
  /** Heartbeat tick (l1TtlWhileDisconnected / 4) + redisTimeout + the test clients' 100 ms reconnect delay. */
  private static final long DETECTION_NANOS = Duration.ofMillis(75 + 100 + 100).toNanos();
  private static final long MARGIN_NANOS = Duration.ofMillis(400).toNanos();
  private static final int KEYS_PER_WRITER = 4;

  /** One operation as a client saw it. */
  record Op(int instance, String key, long version, long start, long end) {}

  /** A time span in which the fleet was not in the undisturbed state; {@code back}: Redis answered again. */
  record Disturbance(String what, long start, long back, boolean unreachable) {}

  private final Map<String, Long> origin = new ConcurrentHashMap<>();
  private final List<Op> writes = Collections.synchronizedList(new ArrayList<>());
  private final List<Op> reads = Collections.synchronizedList(new ArrayList<>());
  private final List<String> ownWriteViolations = Collections.synchronizedList(new ArrayList<>());
  private final List<Disturbance> disturbances = new ArrayList<>();
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);

  @AfterEach
  void tearDown() {
    running.set(false);
    caches.forEach(TieredCache::close);
    clients.forEach(RedisClient::shutdown);
  }

  private String load(String key) {
    Long version = origin.get(key);
    return version == null ? null : version.toString();
  }

  private static String key(int writer, int i) {
    return "w" + writer + "k" + i;
  }

  @Test
  void noReadIsStalerThanItsStatesBoundThroughEveryRedisState(RedisServer server) throws Exception {
    for (int i = 0; i < 6; i++) {
      RedisClient client = server.newClient();
      clients.add(client);
      caches.add(TieredCache.builder("history", Codec.utf8(), Codec.utf8()).redis(client)
          .l1Ttl(L1_TTL).l1TtlWhileDisconnected(WHILE_DISCONNECTED).redisTimeout(REDIS_TIMEOUT).build());
    }
    for (int w = 0; w < 2; w++) {
      for (int i = 0; i < KEYS_PER_WRITER; i++) {
        origin.put(key(w, i), 0L);
      }
    }
    RedisClient admin = server.newClient();
    clients.add(admin);
    RedisCommands<String, String> redis = admin.connect().sync();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch stopped = new CountDownLatch(6);
    for (int w = 0; w < 2; w++) {
      int writer = w;
      threads.add(start(() -> write(writer, stopped)));
    }
    for (int r = 2; r < 6; r++) {
      int reader = r;
      threads.add(start(() -> read(reader, stopped)));
    }

    pause(1500);
    disturb("subscription killed", false, () -> redis.clientKill(KillArgs.Builder.typePubsub()), () -> { });
    pause(1500);
    disturb("Redis paused", true, server::pause, () -> {
      pause(2000);
      server.resume();
    });
    pause(1500);
    disturb("Redis stopped and restarted with its data", true, server::stop, () -> {
      pause(2000);
      server.start();
    });
    pause(2000);
    disturb("Redis flushed", false, server::flushAll, () -> { });
    pause(1500);
    running.set(false);
    assertThat(stopped.await(30, TimeUnit.SECONDS)).isTrue();

    assertThat(ownWriteViolations).as("a writer read a version older than its own completed put").isEmpty();
    List<String> violations = check();
    assertThat(violations).as("reads staler than their state's bound (of %d reads, %d writes)", reads.size(),
        writes.size()).isEmpty();
    for (Disturbance d : disturbances) {
      // A kill or a flush is an instant: count what ran in the second after it.
      long end = Math.max(d.back(), d.start() + TimeUnit.SECONDS.toNanos(1));
      assertThat(reads.stream().filter(op -> within(op.start(), d.start(), end)).count())
          .as("reads during and after: %s", d.what()).isGreaterThan(20);
      assertThat(writes.stream().filter(op -> within(op.start(), d.start(), end)).count())
          .as("writes during and after: %s", d.what()).isGreaterThan(2);
    }
  }

  private static Thread start(Runnable body) {
    Thread thread = new Thread(body, "history-client");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private void disturb(String what, boolean unreachable, Runnable start, Runnable end) {
    long begin = System.nanoTime();
    start.run();
    end.run();
    disturbances.add(new Disturbance(what, begin, System.nanoTime(), unreachable));
  }

  private static void pause(long millis) {
    long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    for (long left; (left = until - System.nanoTime()) > 0; ) {
      LockSupport.parkNanos(left);
    }
  }

  /** A writer owns its keys (one writer per key, so versions per key are ordered) and checks its own reads. */
  private void write(int writer, CountDownLatch stopped) {
    TieredCache<String, String> cache = caches.get(writer);
    try {
      while (running.get()) {
        String key = key(writer, ThreadLocalRandom.current().nextInt(KEYS_PER_WRITER));
        long version = origin.get(key) + 1;
        long start = System.nanoTime();
        origin.put(key, version); // the source of truth first, then the cache, as cache-aside does
        cache.put(key, Long.toString(version));
        long end = System.nanoTime();
        writes.add(new Op(writer, key, version, start, end));
        String seen = cache.get(key, this::load);
        if (seen == null || Long.parseLong(seen) < version) {
          ownWriteViolations.add(key + ": wrote " + version + ", then read " + seen);
        }
        pause(20);
      }
    } finally {
      stopped.countDown();
    }
  }

  private void read(int reader, CountDownLatch stopped) {
    TieredCache<String, String> cache = caches.get(reader);
    try {
      while (running.get()) {
        String key = key(ThreadLocalRandom.current().nextInt(2), ThreadLocalRandom.current().nextInt(KEYS_PER_WRITER));
        long start = System.nanoTime();
        String seen = cache.get(key, this::load);
        reads.add(new Op(reader, key, seen == null ? -1 : Long.parseLong(seen), start, System.nanoTime()));
        pause(2);
      }
    } finally {
      stopped.countDown();
    }
  }

  /**
   * Every read that returned an older version than a write that returned more than the bound before it,
   * worst first; prints the worst staleness seen in each state (what the README's table quotes).
   */
  private List<String> check() {
    List<long[]> late = new ArrayList<>(); // {read index, write index, nanos past the bound}
    Map<String, Long> worst = new java.util.TreeMap<>();
    List<Op> allWrites = new ArrayList<>(writes);
    List<Op> allReads = new ArrayList<>(reads);
    for (int r = 0; r < allReads.size(); r++) {
      Op read = allReads.get(r);
      long stalest = 0;
      for (int w = 0; w < allWrites.size(); w++) {
        Op write = allWrites.get(w);
        if (!write.key().equals(read.key()) || write.version() <= read.version() || read.start() - write.end() < 0) {
          continue;
        }
        stalest = Math.max(stalest, read.start() - write.end());
        long past = read.start() - visibleBy(write, read.start());
        if (past > 0) {
          late.add(new long[] {r, w, past});
        }
      }
      worst.merge(state(read.start()), stalest, Math::max);
    }
    worst.forEach((state, nanos) -> System.out.printf("staleness: worst %d ms while %s%n", nanos / 1_000_000, state));
    late.sort((a, b) -> Long.compare(b[2], a[2]));
    List<String> violations = new ArrayList<>();
    for (long[] v : late.subList(0, Math.min(15, late.size()))) {
      Op read = allReads.get((int) v[0]);
      Op write = allWrites.get((int) v[1]);
      violations.add(String.format("instance %d read %s=%d %d ms after version %d's put returned (%d ms past the"
          + " bound, while %s)", read.instance(), read.key(), read.version(), (read.start() - write.end()) / 1_000_000,
          write.version(), v[2] / 1_000_000, state(read.start())));
    }
    if (late.size() > violations.size()) {
      violations.add((late.size() - violations.size()) + " more");
    }
    return violations;
  }

  private String state(long t) {
    for (Disturbance d : disturbances) {
      if (within(t, d.start(), d.back() + WHILE_DISCONNECTED.toNanos() + DETECTION_NANOS)) {
        return d.what();
      }
    }
    return "undisturbed";
  }

  /**
   * When a write must be visible to a read starting at {@code readStart}: {@code l1Ttl} after it returned
   * if neither falls in a disturbance (or its detection span after it ends), else
   * {@code l1TtlWhileDisconnected} plus detection after it returned, or after Redis answered again when
   * the write returned while Redis was unreachable (its delete is replayed then).
   */
  private long visibleBy(Op write, long readStart) {
    long from = write.end();
    long bound = L1_TTL.toNanos();
    long disturbedBound = WHILE_DISCONNECTED.toNanos() + DETECTION_NANOS;
    for (Disturbance d : disturbances) {
      long settled = d.back() + disturbedBound;
      if (within(write.end(), d.start(), settled) || within(readStart, d.start(), settled)) {
        bound = Math.max(bound, disturbedBound);
      }
      if (d.unreachable() && within(write.end(), d.start(), d.back()) && readStart - d.back() >= 0) {
        from = Math.max(from, d.back());
      }
    }
    return from + bound + MARGIN_NANOS;
  }

  private static boolean within(long t, long from, long to) {
    return t - from >= 0 && to - t >= 0;
  }
}
