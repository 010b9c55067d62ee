package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import dev.ballast.cache.TieredCache;
import dev.ballast.cache.TieredCacheConfig;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.Executor;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * What a cache is built from besides its {@link dev.ballast.cache.TieredCacheConfig}: collaborators, not
 * settings. Not part of the API; the builder checked every field.
 *
 * @param redis null for an L1-only cache; which client it wraps is internal
 * @param sparedFallback null to throw {@link dev.ballast.cache.OriginSparedException}
 * @param registry null for no metrics
 * @param redisBreaker null for the default breaker
 * @param coarseHitClock whether L1 hits read the sampled {@code CoarseClock} (its thread starts at build)
 */
public record Wiring<K, V>(
    Codec<K> keyCodec,
    Codec<V> valueCodec,
    RedisConnector redis,
    BooleanSupplier spareOrigin,
    Function<? super K, ? extends V> sparedFallback,
    MeterRegistry registry,
    Ticker ticker,
    Executor executor,
    CircuitBreaker redisBreaker,
    boolean coarseHitClock) {

  /**
   * Builds and starts the cache ({@link TieredCache#builder}'s {@code build()}): the one way to make a
   * {@code DefaultTieredCache}, whose constructor is not public.
   *
   * @throws NullPointerException if {@code config} is null
   */
  public TieredCache<K, V> build(TieredCacheConfig config) {
    return new DefaultTieredCache<>(config, this).start();
  }
}
