package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.ReadContractSuite.EntryPoint;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read contract's outage rows, against every entry point ({@code get}, {@code getAsyncWithBlockingLoader},
 * {@code getAsync}, {@code getAll}, {@code @Cached}, and a stale-while-revalidate refresh) on three
 * instances sharing one real Redis, each on its own Lettuce client, with Redis stopped, paused
 * ({@code SIGSTOP}) and restarted with an empty dataset. In every state: no caller sees an exception, each
 * read is bounded by a few {@code redisTimeout}s, another instance's write (here: the origin's new value
 * and an invalidation the outage swallowed) shows within {@code l1TtlWhileDisconnected} plus detection, and
 * once Redis answers again the instances share it again.
 */
class OutageContractTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  /** What Redis goes through while the instances read. */
  enum State { DOWN, PAUSED, RESTARTED_EMPTY }

  /** An entry point, or {@code null} for a background refresh (stale-while-revalidate, read by get). */
  static List<Arguments> matrix() {
    List<Arguments> all = new ArrayList<>();
    for (State state : State.values()) {
      for (EntryPoint entry : EntryPoint.values()) {
        all.add(Arguments.of(state, entry, false));
      }
      all.add(Arguments.of(state, EntryPoint.GET, true));
    }
    return all;
  }

  private static final AtomicInteger names = new AtomicInteger();
  private static final Duration REDIS_TIMEOUT = Duration.ofMillis(250);
  private static final Duration DISCONNECTED_TTL = Duration.ofMillis(300);
  /** A read's bound while Redis is out: a few redisTimeouts (GET, lease, fill), generous for a loaded machine. */
  private static final Duration READ_BOUND = Duration.ofSeconds(3);

  private final Map<String, String> origin = new ConcurrentHashMap<>();
  private final AtomicInteger loads = new AtomicInteger();
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<TieredCache<String, String>> caches = new ArrayList<>();
  private RedisServer server;
  private String name;

  @BeforeEach
  void setUp(RedisServer server) {
    this.server = server;
    name = "outage" + names.incrementAndGet();
  }

  @AfterEach
  void tearDown() {
    if (server.isPaused()) {
      server.resume();
    }
    if (!server.isRunning()) {
      server.start();
    }
    synchronized (ReadContractSuite.PROXIES) {
      caches.forEach(ReadContractSuite.PROXIES::remove);
    }
    caches.forEach(TieredCache::close);
    clients.forEach(RedisClient::shutdown);
  }

  private List<TieredCache<String, String>> fleet(int size, UnaryOperator<TieredCacheBuilder<String, String>> options) {
    List<TieredCache<String, String>> made = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      RedisClient client = server.newClient();
      clients.add(client);
      TieredCache<String, String> cache = options.apply(TieredCache.builder(name, Codec.utf8(), Codec.utf8())
          .redis(client).ttlJitter(0).redisTimeout(REDIS_TIMEOUT).l1Ttl(Duration.ofSeconds(30))
          .l1TtlWhileDisconnected(DISCONNECTED_TTL)).build();
      caches.add(cache);
      made.add(cache);
    }
    return made;
  }

  private String load(String key) {
    loads.incrementAndGet();
    return origin.getOrDefault(key, "v-" + key);
  }

  /** One read, which must neither throw nor take longer than {@link #READ_BOUND}. */
  private String read(EntryPoint entry, TieredCache<String, String> cache, String key) throws Exception {
    long start = System.nanoTime();
    String value = entry.read(cache, key, this::load);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).as(entry + " read of " + key).isLessThan(READ_BOUND);
    return value;
  }

  private void enter(State state) {
    switch (state) {
      case DOWN -> server.stop();
      case PAUSED -> server.pause();
      case RESTARTED_EMPTY -> server.restart(); // no AOF: it comes back empty
    }
  }

  private void leave(State state) {
    switch (state) {
      case DOWN -> server.start();
      case PAUSED -> server.resume();
      case RESTARTED_EMPTY -> { }
    }
  }

  @ParameterizedTest(name = "{0}: {1}, refresh {2}")
  @MethodSource("matrix")
  void readsAreServedBoundedAndFreshWithinTheDisconnectedBound(State state, EntryPoint entry, boolean refresh)
      throws Exception {
    List<TieredCache<String, String>> fleet = fleet(3, refresh
        ? b -> b.ttl(Duration.ofMillis(200)).staleWhileRevalidate(Duration.ofMinutes(5)) : b -> b);
    origin.put("k", "old");
    for (TieredCache<String, String> cache : fleet) {
      assertThat(read(entry, cache, "k")).isEqualTo("old");
    }
    assertThat(loads).as("one load in the fleet while Redis is up").hasValue(1);

    enter(state);
    try {
      // The origin changes while Redis is out (the write's invalidation never reaches the instances).
      origin.put("k", "new");
      // A cold key: the loader's value, bounded, no exception.
      assertThat(read(entry, fleet.get(0), "cold")).isEqualTo("v-cold");
      // Every instance shows the new value within l1TtlWhileDisconnected plus detection (a refresh: the
      // stale value at once, then the refreshed one).
      for (TieredCache<String, String> cache : fleet) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
            .until(() -> read(entry, cache, "k"), "new"::equals);
      }
    } finally {
      leave(state);
    }

    // Redis answers again: the instances share it again (a fill by one is a Redis hit for the others).
    await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> {
      String key = "after" + loads.get();
      int before = loads.get();
      read(entry, fleet.get(1), key);
      read(entry, fleet.get(2), key);
      return loads.get() == before + 1;
    });
  }
}
