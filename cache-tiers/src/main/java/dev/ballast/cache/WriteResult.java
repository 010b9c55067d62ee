package dev.ballast.cache;

/**
 * What a {@link TieredCache#put put}, {@link TieredCache#invalidate invalidate} or
 * {@link TieredCache#invalidateAll invalidateAll} did in Redis. None of them throws for a Redis failure:
 * a caller that must know whether Redis took the write checks this result. Whatever it says, this
 * instance never serves the value the write replaced, and the other instances stop serving it within the
 * staleness bound of the state Redis is in (module README, "Staleness per state").
 *
 * <pre>{@code
 * if (products.put("sku-1", updated) != WriteResult.APPLIED) {
 *   log.info("sku-1 is not in Redis yet; instances load it from the catalog meanwhile");
 * }
 * }</pre>
 */
public enum WriteResult {

  /**
   * Redis applied the write (after {@code put} it holds the new value; after {@code invalidate} the key is
   * gone) and the other instances are told to evict the key. An L1-only cache always answers this.
   */
  APPLIED,

  /**
   * {@code put} only: Redis refused the value (for example {@code OOM} under {@code maxmemory} with
   * {@code noeviction}, or a reply error about the key) but deleted the key, and the other instances are
   * told to evict it: every instance loads the key afresh (from the origin) on its next read.
   */
  INVALIDATED,

  /**
   * Redis did not answer (down, paused, slower than {@code redisTimeout}, or its breaker is open), so the
   * write may not be applied. This instance evicted the key from L1 and keeps the key's delete (bounded;
   * past the bound, one delete of every entry of the cache) and replays it, with its invalidation
   * message, as soon as Redis answers, and before this instance reads Redis again. Until the replay the
   * other instances can serve the older value for their bound of the outage state.
   */
  DEFERRED;

  /** Whether Redis holds exactly what the write asked for ({@link #APPLIED}). */
  public boolean applied() {
    return this == APPLIED;
  }
}
