package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A two-level read-through cache: L1 Caffeine in this process, L2 Redis shared by every instance of the
 * application. Each instance builds the same cache (same name, same codecs) against the same Redis.
 * <pre>{@code
 * TieredCache<String, Product> products = TieredCache.builder("products", Codec.utf8(),
 *         JsonCodec.of(mapper, Product.class))
 *     .redis(redisClient)
 *     .l1Ttl(Duration.ofMillis(100))
 *     .ttl(Duration.ofMinutes(15))
 *     .meterRegistry(registry)
 *     .build();
 * Product p = products.get("sku-1", catalog::find);   // L1, else Redis, else one load in the fleet
 * products.put("sku-1", updated);                     // Redis, then every other instance's L1 is evicted
 * }</pre>
 *
 * <p>Guarantees (see the module README for the staleness bounds): concurrent misses on a key load once
 * per JVM and, while the fleet lease holds, once per fleet; a load that began before a write or an
 * invalidation of its key never stores its older value, in either tier; a Redis outage never reaches the
 * caller (L1 and the loader serve meanwhile); corrupt bytes in Redis are a counted miss.
 *
 * <p>Thread-safe. Null keys and null values given to {@code put} are rejected with a
 * {@link NullPointerException} naming the argument.
 *
 * @param <K> key type
 * @param <V> value type
 */
public interface TieredCache<K, V> extends AutoCloseable {

  /**
   * Starts building a cache.
   *
   * @param name names the cache in Redis keys, the invalidation channel, logs and metrics
   * @param keyCodec turns keys into bytes and back (must round-trip)
   * @param valueCodec turns values into bytes and back
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if the name is blank
   */
  static <K, V> TieredCacheBuilder<K, V> builder(String name, Codec<K> keyCodec, Codec<V> valueCodec) {
    return new TieredCacheBuilder<>(name, keyCodec, valueCodec);
  }

  /**
   * Returns the value for {@code key}: from L1 if fresh there (no allocation, no lock), else from Redis,
   * else from {@code loader}, called once per key across concurrent callers. Returns null for an absent
   * value.
   *
   * @throws NullPointerException if {@code key} or {@code loader} is null
   * @throws CacheLoadException if the loader threw a checked exception and no stale value may be served;
   *     if this thread was interrupted while it waited for Redis or for another caller's load (cause
   *     {@link InterruptedException}; the interrupt flag is set again, the load goes on for the others);
   *     or if another caller's load of the key in this JVM outlived twice {@code maxLeaseWait} (cause
   *     {@link java.util.concurrent.TimeoutException}: after one {@code maxLeaseWait} one waiter takes the
   *     load over)
   * @throws OriginSparedException if the origin is to be spared, nothing is cached and there is no fallback
   */
  @Nullable V get(K key, Loader<? super K, ? extends V> loader);

  /**
   * Returns the value for {@code key} without blocking, from a loader that returns a stage (an
   * asynchronous client), as Caffeine's {@code AsyncCache.get} does: the Redis steps of a miss run on the
   * cache's executor (each bounded by {@code redisTimeout}), then the loader is called and nothing waits for its
   * stage: the fill (Redis, then L1) runs when it completes. Same guarantees as {@link #get}: one load
   * per key per JVM and per fleet while the lease holds, no older value stored after a write or an
   * invalidation, stale-while-revalidate (refreshes through this loader too), stale-if-error, negative
   * caching, {@code spareOrigin}.
   *
   * <p>The loader's failure completes the returned future as it is (a checked exception is not wrapped),
   * unless a stale value may be served.
   *
   * <pre>{@code
   * products.getAsync("sku-1", catalogClient::fetchAsync)
   *     .thenAccept(product -> ...);
   * }</pre>
   *
   * @throws NullPointerException if {@code key} or {@code loader} is null
   */
  CompletableFuture<@Nullable V> getAsync(K key, AsyncLoader<? super K, ? extends V> loader);

  /**
   * {@link #getAsync} for a blocking loader ({@code V load(K)}, as {@link #get} takes): a miss is served
   * on the cache's executor, which runs the loader and so holds one of its threads until the origin
   * answers. (One name for both would not compile for a lambda {@code k -> ...}: Java cannot tell the two
   * functional interfaces apart.) An L1 hit completes at once; a caller of a key being loaded waits
   * without a thread. Failures complete the future as {@link #get}
   * throws them. For an origin with an asynchronous client use {@link #getAsync}, which holds no
   * thread while the origin works.
   *
   * @throws NullPointerException if {@code key} or {@code loader} is null
   */
  CompletableFuture<@Nullable V> getAsyncWithBlockingLoader(K key, Loader<? super K, ? extends V> loader);

  /**
   * Returns the values for {@code keys} (absent ones left out): L1 first, then one Redis {@code MGET}
   * for the rest, then the fleet leases of the keys still missing (sent together; keys another instance
   * is loading are waited for, at most {@code maxLeaseWait}), then one call to {@code loader} for the
   * keys this instance loads. Same rules as {@link #get}: one load per key per JVM and per fleet,
   * {@code spareOrigin}, stale-while-revalidate, stale-if-error, negative caching.
   *
   * @throws NullPointerException if a key or the loader is null
   * @throws CacheLoadException if the loader threw a checked exception and a key it was asked for has no
   *     stale value, or this thread was interrupted while waiting (its interrupt flag is set again)
   * @throws OriginSparedException if the origin is to be spared and a key has no cached value and there
   *     is no fallback
   */
  Map<K, V> getAll(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader);

  /**
   * Warms the cache: loads the keys that neither tier holds, through the same path as {@link #getAll}
   * but on the cache's executor, so that a start-up does not wait for it unless it wants to
   * ({@link #warmUp} waits a configured bound). One instance per key across the fleet: a key whose lease
   * another instance holds is waited for (at most {@code maxLeaseWait}, holding no thread), not loaded.
   * The keys go in chunks of {@code warmUpChunk} (100), one after the other: one {@code MGET}, one
   * pipelined lease call and one {@code loader} call per chunk, so no Redis call of a large warm-up
   * outlives {@code redisTimeout}; a chunk that fails ends the warm-up. Loads nothing while the origin is
   * spared.
   * <pre>{@code
   * products.warm(hotSkus, catalog::findAll).orTimeout(10, TimeUnit.SECONDS);
   * }</pre>
   *
   * @return completes with how many keys this instance loaded from {@code loader}, or fails as
   *     {@link #getAll} would throw
   * @throws NullPointerException if {@code keys} or {@code loader} is null (a null key fails the stage)
   */
  CompletableFuture<Integer> warm(Collection<? extends K> keys,
      BulkLoader<? super K, ? extends V> loader);

  /**
   * {@link #warm}, waited for at most {@code warmUpWait} (5 s by default; {@code caches.<name>.warmUpWait}
   * in the configuration): what a start-up calls before it takes traffic. A warm-up still running then
   * goes on in the background; one that failed is logged; either way the start goes on.
   * <pre>{@code
   * int loaded = products.warmUp(hotSkus, catalog::findAll);   // -1: not done (yet)
   * }</pre>
   *
   * @return how many keys this instance loaded, or -1 if the warm-up failed or was still running
   * @throws NullPointerException if {@code keys}, a key or {@code loader} is null
   * @throws CacheLoadException if this thread was interrupted while waiting (its interrupt flag is set
   *     again); the warm-up goes on
   */
  int warmUp(Collection<? extends K> keys, BulkLoader<? super K, ? extends V> loader);

  /**
   * Writes {@code value} to Redis and L1, and tells the other instances to evict {@code key}. A load of
   * the key already under way, here or elsewhere, will not overwrite it. A Redis failure is not thrown:
   * when Redis does not apply the write, this instance evicts the key instead of storing the value, and
   * the key is deleted in Redis at once ({@link WriteResult#INVALIDATED}) or, if Redis did not answer,
   * as soon as it does ({@link WriteResult#DEFERRED}), before this instance reads Redis again.
   *
   * @return what Redis did: {@link WriteResult#APPLIED} when it holds {@code value}
   * @throws NullPointerException if {@code key} or {@code value} is null
   * @throws IllegalArgumentException if the encoded value exceeds {@code maxEncodedSize}
   */
  WriteResult put(K key, V value);

  /**
   * Deletes {@code key} from Redis and L1 and tells the other instances to evict it. A load of the key
   * already under way will not store its (now possibly older) value. A delete Redis did not take is kept
   * and replayed when it answers ({@link WriteResult#DEFERRED}), before this instance reads Redis again.
   *
   * @return {@link WriteResult#APPLIED}, or {@link WriteResult#DEFERRED} if Redis did not answer
   * @throws NullPointerException if {@code key} is null
   */
  WriteResult invalidate(K key);

  /**
   * Deletes every entry of this cache from Redis (a {@code SCAN}, so O(keys)) and every instance's L1;
   * kept and replayed like {@link #invalidate} when Redis does not answer.
   *
   * @return {@link WriteResult#APPLIED}, or {@link WriteResult#DEFERRED} if Redis did not answer
   */
  WriteResult invalidateAll();

  /** This cache's name. */
  String name();

  /** This cache's settings. */
  TieredCacheConfig config();

  /** Stops listening for invalidations and closes the connections this cache opened (not the client). */
  @Override
  void close();
}
