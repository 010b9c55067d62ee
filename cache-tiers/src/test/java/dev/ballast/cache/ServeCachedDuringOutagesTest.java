package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.testsupport.ManualTicker;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * While serve-cached spares the origin, what is cached is served: a write this instance could not get
 * fully into Redis (a deferred invalidation; here its message, refused by an ACL without PUBLISH) blocks
 * Redis reads of that key only, not of every key (the demo's
 * outage phase once failed 11 % of product reads with {@code OriginSparedException} for products Redis
 * held); and an L1 entry past its L1 life is served while Redis is down and the origin spared.
 */
class ServeCachedDuringOutagesTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final AtomicInteger names = new AtomicInteger();
  private final List<RedisClient> clients = new ArrayList<>();
  private final List<TieredCache<String, String>> caches = new ArrayList<>();
  private final AtomicBoolean spare = new AtomicBoolean();
  private final AtomicInteger loads = new AtomicInteger();
  private RedisCommands<String, String> admin;

  @AfterEach
  void tearDown(RedisServer server) {
    if (server.isPaused()) {
      server.resume();
    }
    if (!server.isRunning()) {
      server.start();
    }
    caches.forEach(TieredCache::close);
    if (admin != null) {
      admin.dispatch(CommandType.ACL, new IntegerOutput<>(StringCodec.UTF8),
          new CommandArgs<>(StringCodec.UTF8).add("DELUSER").add("nopublish"));
    }
    clients.forEach(RedisClient::shutdown);
  }

  /** {@code now}: the cache's ticker, or null for the system's. */
  private TieredCache<String, String> instance(RedisServer server, String name, ManualTicker now) {
    RedisClient client = server.newClient();
    clients.add(client);
    return instance(client, name, now, new SimpleMeterRegistry());
  }

  private TieredCache<String, String> instance(RedisClient client, String name, ManualTicker now,
      MeterRegistry registry) {
    TieredCacheBuilder<String, String> builder = TieredCache.builder(name, Codec.utf8(), Codec.utf8())
        .redis(client).ttlJitter(0).l1Ttl(Duration.ofMillis(100)).l1TtlWhileDisconnected(Duration.ofMillis(200))
        .redisTimeout(Duration.ofMillis(300)).spareOrigin(spare::get).meterRegistry(registry);
    if (now != null) {
      builder.ticker(now::read);
    }
    TieredCache<String, String> cache = builder.build();
    caches.add(cache);
    return cache;
  }

  private String load(String key) {
    loads.incrementAndGet();
    return "loaded-" + key;
  }

  /** A Redis user that may do everything but {@code PUBLISH}: its invalidation messages are refused. */
  private RedisClient withoutPublish(RedisServer server) {
    RedisClient adminClient = server.newClient();
    clients.add(adminClient);
    admin = adminClient.connect().sync();
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add("nopublish")
        .add("reset").add("on").add(">pw").add("~*").add("&*").add("+@all").add("-publish");
    assertThat(admin.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args)).isEqualTo("OK");
    RedisClient client = RedisClient.create(RedisURI.builder().withHost(server.host()).withPort(server.port())
        .withAuthentication("nopublish", "pw".toCharArray()).build());
    clients.add(client);
    return client;
  }

  @Test
  void aDeferredInvalidationBlocksRedisReadsOfItsKeyOnly(RedisServer server) throws Exception {
    String name = "spared" + names.incrementAndGet();
    TieredCache<String, String> writer = instance(server, name, null);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TieredCache<String, String> reader = instance(withoutPublish(server), name, null, registry);
    for (String key : List.of("a", "b", "c", "d", "e", "pending")) {
      assertThat(writer.put(key, "stored-" + key)).isEqualTo(WriteResult.APPLIED);
    }

    // Redis takes the delete but not the message: the invalidation is kept for replay (which Redis keeps
    // refusing), so the key stays pending on this instance while Redis answers its reads.
    reader.invalidate("pending");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("ballast.cache.invalidations.pending").gauge().value() == 1);
    writer.put("pending", "stored-pending"); // Redis holds a value again, which the reader must not read
    spare.set(true);

    // Spared: keys Redis holds are served from it (before: every read of this instance came back "down",
    // so each was an OriginSparedException while Redis held the value).
    assertThat(reader.get("a", this::load)).isEqualTo("stored-a");
    assertThat(reader.getAsyncWithBlockingLoader("b", this::load).get(5, TimeUnit.SECONDS)).isEqualTo("stored-b");
    assertThat(reader.getAll(Set.of("c", "d"), keys -> Map.of())).containsEntry("c", "stored-c")
        .containsEntry("d", "stored-d");
    spare.set(false);
    // Not spared: a Redis hit, not a load.
    assertThat(reader.get("e", this::load)).isEqualTo("stored-e");
    assertThat(loads).hasValue(0);
    // The pending key itself is not read from Redis (its replay has not happened): loaded instead.
    assertThat(reader.get("pending", this::load)).isEqualTo("loaded-pending");
    spare.set(true);
    reader.invalidate("pending");
    assertThatThrownBy(() -> reader.get("pending", this::load)).isInstanceOf(OriginSparedException.class);
  }

  @Test
  void aSparedMissServesAnL1EntryPastItsL1LifeWhileRedisIsDown(RedisServer server) throws Exception {
    ManualTicker now = new ManualTicker();
    TieredCache<String, String> cache = instance(server, "spared" + names.incrementAndGet(), now);
    for (String key : List.of("a", "b", "c", "d")) {
      assertThat(cache.get(key, this::load)).isEqualTo("loaded-" + key);
    }
    server.stop();
    // A call that finds Redis down caps L1; then every entry is past its L1 life (not its soft expiry).
    cache.get("other", this::load);
    now.advance(Duration.ofSeconds(2));
    spare.set(true);
    int before = loads.get();

    assertThat(cache.get("a", this::load)).isEqualTo("loaded-a");
    assertThat(cache.getAsyncWithBlockingLoader("b", this::load).get(5, TimeUnit.SECONDS)).isEqualTo("loaded-b");
    assertThat(cache.getAsync("c", key -> CompletableFuture.completedFuture(load(key)))
        .get(5, TimeUnit.SECONDS)).isEqualTo("loaded-c");
    assertThat(cache.getAll(Set.of("d"), keys -> Map.of())).containsEntry("d", "loaded-d");
    assertThat(loads).hasValue(before);
    // Nothing cached anywhere: the one legitimate refusal.
    assertThatThrownBy(() -> cache.get("never-cached", this::load)).isInstanceOf(OriginSparedException.class);
  }

  /**
   * A subscription that dropped and came back resynchronises L1 (what it missed must not be served as a
   * hit), but keeps the values for a spared origin: before, the resync emptied L1, and when Redis then
   * could not be read, serve-cached failed every product L1 had held.
   */
  @Test
  void aResyncedL1StillServesASparedOriginWhileRedisIsDown(RedisServer server) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RedisClient client = server.newClient();
    clients.add(client);
    TieredCache<String, String> cache = instance(client, "spared" + names.incrementAndGet(), null, registry);
    assertThat(cache.get("a", this::load)).isEqualTo("loaded-a");
    RedisClient adminClient = server.newClient();
    clients.add(adminClient);
    adminClient.connect().sync().clientKill(KillArgs.Builder.typePubsub());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("ballast.cache.resyncs").functionCounter().count() >= 1);
    // Not served as a hit after the resync: read from Redis again (the loader is not called).
    assertThat(cache.get("a", key -> "reloaded")).isEqualTo("loaded-a");
    adminClient.connect().sync().clientKill(KillArgs.Builder.typePubsub());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> registry.get("ballast.cache.resyncs").functionCounter().count() >= 2);
    server.stop();
    spare.set(true);

    assertThat(cache.get("a", this::load)).isEqualTo("loaded-a");
    assertThat(cache.getAsync("a", key -> CompletableFuture.completedFuture(load(key))).get(5, TimeUnit.SECONDS))
        .isEqualTo("loaded-a");
    assertThat(loads).hasValue(1);
  }
}
