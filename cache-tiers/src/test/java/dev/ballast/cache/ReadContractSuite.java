package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The read contract, rule by rule, against every entry point ({@code get}, {@code getAsyncWithBlockingLoader},
 * {@code getAsync}, {@code getAll}, the {@code @Cached} handler) on an L1-only cache and on two
 * instances sharing a real Redis, each on its own Lettuce client. One rule, one method; the matrix is
 * the parameters. The same suite runs on one server ({@link ReadContractTest}), a Sentinel setup
 * ({@link ReadContractSentinelTest}) and a Redis Cluster ({@link ReadContractClusterTest}); the
 * L1-only half touches no Redis, so it runs on the first only.
 */
abstract class ReadContractSuite {

  /** The origin as the test writes it: a value, null for absent, or a throw. */
  @FunctionalInterface
  interface Origin {
    String load(String key) throws Exception;
  }

  /** How an entry point reads one key, failures thrown as its caller would see them (async ones unwrapped). */
  enum EntryPoint {
    GET {
      @Override
      String read(TieredCache<String, String> cache, String key, Origin origin) {
        return cache.get(key, origin::load);
      }
    },
    GET_ASYNC {
      @Override
      String read(TieredCache<String, String> cache, String key, Origin origin) throws Exception {
        return unwrap(cache.getAsyncWithBlockingLoader(key, origin::load));
      }
    },
    GET_ASYNC_COMPOSE {
      @Override
      String read(TieredCache<String, String> cache, String key, Origin origin) throws Exception {
        return unwrap(cache.getAsync(key, k -> {
          try {
            return CompletableFuture.completedFuture(origin.load(k));
          } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
          }
        }));
      }
    },
    GET_ALL {
      @Override
      String read(TieredCache<String, String> cache, String key, Origin origin) {
        return cache.getAll(List.of(key), keys -> {
          Map<String, String> values = new HashMap<>();
          for (String k : keys) {
            values.put(k, origin.load(k));
          }
          return values;
        }).get(key);
      }
    },
    CACHED {
      @Override
      String read(TieredCache<String, String> cache, String key, Origin origin) throws Exception {
        OriginHolder holder;
        synchronized (PROXIES) {
          holder = PROXIES.computeIfAbsent(cache, c -> new OriginHolder(c));
        }
        holder.origin = origin;
        return holder.proxy.read(key);
      }
    };

    abstract String read(TieredCache<String, String> cache, String key, Origin origin) throws Exception;

    private static String unwrap(CompletableFuture<String> future) throws Exception {
      try {
        return future.get(20, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
  }

  /** The {@code @Cached} interface the handler wraps. */
  public interface Reader {
    @Cached("contract")
    String read(String key) throws Exception;
  }

  static final Map<TieredCache<String, String>, OriginHolder> PROXIES = new IdentityHashMap<>();

  /** One proxy per cache; the origin it calls is swapped per read (the tests read one at a time per cache). */
  static final class OriginHolder {
    volatile Origin origin;
    final Reader proxy;

    OriginHolder(TieredCache<String, String> cache) {
      Reader target = key -> origin.load(key);
      proxy = Wrapper.wrap(Reader.class, target, Registry.builder().add("contract", cache).build());
    }
  }

  enum Topology { L1_ONLY, TWO_TIER }

  static List<Arguments> matrix() {
    List<Arguments> all = new ArrayList<>();
    for (EntryPoint entry : EntryPoint.values()) {
      for (Topology topology : Topology.values()) {
        all.add(Arguments.of(entry, topology));
      }
    }
    return all;
  }

  private static final AtomicInteger names = new AtomicInteger();
  private final AtomicInteger loads = new AtomicInteger();
  private TestFleet instances;
  private RedisClusterCommands<String, String> redis;
  private String name;

  /** Whether the L1-only half runs here (it needs no Redis: once is enough). */
  abstract boolean runsL1Only();

  /** Called by each topology's {@code @BeforeEach} with where its instances connect. */
  void setUp(TestFleet.TestRedis target) {
    instances = new TestFleet(target, "contract" + names.incrementAndGet());
    redis = instances.redis;
    name = instances.name;
  }

  @AfterEach
  void tearDown() {
    synchronized (PROXIES) {
      instances.caches.forEach(PROXIES::remove);
    }
    instances.close();
  }

  /** One instance for L1-only (nothing shared), two on one Redis otherwise. */
  private List<TieredCache<String, String>> instances(Topology topology,
      UnaryOperator<TieredCacheBuilder<String, String>> options) {
    assumeTrue(topology == Topology.TWO_TIER || runsL1Only(), "the L1-only half runs on the standalone suite");
    List<TieredCache<String, String>> made = new ArrayList<>();
    for (int i = 0; i < (topology == Topology.L1_ONLY ? 1 : 2); i++) {
      made.add(instances.add(topology == Topology.TWO_TIER, b -> options.apply(
          b.maxLeaseWait(Duration.ofSeconds(20)).leaseTtl(Duration.ofSeconds(20)))));
    }
    return made;
  }

  private String counted(String key) {
    return "v" + loads.incrementAndGet() + "-" + key;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void oneLoadPerKeyPerJvmAndPerFleet(EntryPoint entry, Topology topology) throws Exception {
    List<TieredCache<String, String>> fleet = instances(topology, b -> b);
    CountDownLatch release = new CountDownLatch(1);
    Origin slow = key -> {
      loads.incrementAndGet();
      release.await(20, TimeUnit.SECONDS);
      return "v-" + key;
    };
    List<CompletableFuture<String>> readers = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      TieredCache<String, String> cache = fleet.get(i % fleet.size());
      readers.add(CompletableFuture.supplyAsync(() -> {
        try {
          return entry.read(cache, "hot", slow);
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() >= 1);
    release.countDown();
    for (CompletableFuture<String> reader : readers) {
      assertThat(reader.get(20, TimeUnit.SECONDS)).isEqualTo("v-hot");
    }
    assertThat(loads).as("one load in the fleet").hasValue(1);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void noOlderValueIsStoredAfterAWrite(EntryPoint entry, Topology topology) throws Exception {
    TieredCache<String, String> cache = instances(topology, b -> b).get(0);
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch written = new CountDownLatch(1);
    CompletableFuture<String> old = CompletableFuture.supplyAsync(() -> {
      try {
        return entry.read(cache, "k", key -> {
          loading.countDown();
          written.await(20, TimeUnit.SECONDS);
          return "old";
        });
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
    cache.put("k", "new");
    written.countDown();
    old.get(20, TimeUnit.SECONDS);
    assertThat(entry.read(cache, "k", key -> "loaded")).isEqualTo("new");
    if (topology == Topology.TWO_TIER) {
      assertThat(redis.get("ballast:cache:" + name + ":{k}:v")).endsWith("new");
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void staleIfErrorServesTheOldValueWhenTheOriginFails(EntryPoint entry, Topology topology) throws Exception {
    TieredCache<String, String> cache = instances(topology, b -> b.ttl(Duration.ofMillis(100))
        .l1Ttl(Duration.ofMillis(50)).staleIfError(Duration.ofMinutes(5))).get(0);
    assertThat(entry.read(cache, "k", this::counted)).isEqualTo("v1-k");
    awaitPastTtl();
    assertThat(entry.read(cache, "k", key -> {
      throw new IllegalStateException("origin down");
    })).isEqualTo("v1-k");
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void staleWhileRevalidateRefreshesOncePerFleet(EntryPoint entry, Topology topology) throws Exception {
    // A TTL long enough that the fleet's first reads, and the read of the refreshed value, finish within it
    // on a loaded machine (at 300 ms a stalled read saw the value stale a second time and refreshed again).
    Duration ttl = Duration.ofSeconds(1);
    List<TieredCache<String, String>> fleet = instances(topology, b -> b.ttl(ttl)
        .l1Ttl(Duration.ofSeconds(30)).staleWhileRevalidate(Duration.ofMinutes(5)));
    for (TieredCache<String, String> cache : fleet) {
      assertThat(entry.read(cache, "k", this::counted)).isEqualTo("v1-k");
    }
    awaitPast(ttl.plusMillis(100));
    assertThat(entry.read(fleet.get(0), "k", this::counted)).as("served stale").isEqualTo("v1-k");
    await().atMost(Duration.ofSeconds(10)).until(() -> loads.get() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> entry.read(fleet.get(0), "k", this::counted).equals("v2-k"));
    assertThat(loads).as("one refresh").hasValue(2);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void absentValuesAreCachedForTheNegativeTtl(EntryPoint entry, Topology topology) throws Exception {
    List<TieredCache<String, String>> fleet = instances(topology, b -> b.negativeTtl(Duration.ofMinutes(1)));
    for (TieredCache<String, String> cache : fleet) {
      assertThat(entry.read(cache, "missing", key -> {
        loads.incrementAndGet();
        return null;
      })).isNull();
    }
    assertThat(loads).as("the absence is cached in L1 and in Redis").hasValue(1);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void aSparedOriginIsNeverCalled(EntryPoint entry, Topology topology) throws Exception {
    AtomicBoolean spare = new AtomicBoolean();
    TieredCache<String, String> cache = instances(topology, b -> b.spareOrigin(spare::get)).get(0);
    assertThat(entry.read(cache, "cached", this::counted)).isEqualTo("v1-cached");
    spare.set(true);
    assertThat(entry.read(cache, "cached", this::counted)).isEqualTo("v1-cached");
    assertThatThrownBy(() -> entry.read(cache, "cold", this::counted)).isInstanceOf(OriginSparedException.class);
    assertThat(loads).hasValue(1);
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void anOversizeValueIsServedAndKeptInL1Only(EntryPoint entry, Topology topology) throws Exception {
    TieredCache<String, String> cache = instances(topology, b -> b.maxEncodedSize(16)).get(0);
    String big = "x".repeat(100);
    assertThat(entry.read(cache, "big", key -> big)).isEqualTo(big);
    assertThat(entry.read(cache, "big", key -> "loaded again")).isEqualTo(big);
    if (topology == Topology.TWO_TIER) {
      assertThat(redis.exists("ballast:cache:" + name + ":{big}:v")).isZero();
    }
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("matrix")
  void corruptBytesAreAMissThatTheFillRepairs(EntryPoint entry, Topology topology) throws Exception {
    assumeTrue(topology == Topology.TWO_TIER, "no bytes to corrupt without Redis");
    List<TieredCache<String, String>> fleet = instances(topology, b -> b);
    redis.set("ballast:cache:" + name + ":{k}:v", "garbage, not an entry");
    for (TieredCache<String, String> cache : fleet) {
      assertThat(entry.read(cache, "k", this::counted)).isEqualTo("v1-k");
    }
    assertThat(loads).hasValue(1);
    assertThat(redis.get("ballast:cache:" + name + ":{k}:v")).endsWith("v1-k");
  }

  /** Waits (polling, bounded) until the few hundred ms TTLs of these tests have passed. */
  private void awaitPastTtl() {
    awaitPast(Duration.ofMillis(400));
  }

  private void awaitPast(Duration wait) {
    long until = System.currentTimeMillis() + wait.toMillis();
    await().atMost(wait.plusSeconds(5)).pollInterval(Duration.ofMillis(20))
        .until(() -> System.currentTimeMillis() > until);
  }
}
