package dev.ballast.cache.internal;

/**
 * What a read does next, decided by {@link ReadPlanner} from what the tiers hold. Every entry point
 * (get, getAsyncWithBlockingLoader, getAsync, getAll, warm, refreshes, the {@code @Cached} handler) acts on these
 * and only these; how it acts (on this thread, on a stage, for many keys at once) is its own affair.
 *
 * @param <V> value type
 */
sealed interface Plan<V> {

  /** No refresh to start. */
  long NO_REFRESH = Long.MIN_VALUE;

  /**
   * Serve the L1 entry's value ({@code stale}: past its soft expiry, counted); start a refresh unless
   * {@code refreshSeenMs} is {@link #NO_REFRESH}; {@code keep}: store it in L1 again (Redis cannot be
   * asked and it is still fresh).
   */
  record ServeLocal<V>(L1Entry<V> entry, boolean stale, boolean keep, long refreshSeenMs) implements Plan<V> {}

  /**
   * Store the Redis entry in L1 and serve it; start a refresh unless {@code refreshSeenMs} is
   * {@link #NO_REFRESH} (then it is the write time of the entry served: a refresh stops at a later one).
   */
  record ServeRedis<V>(Decoded<V> entry, boolean stale, long refreshSeenMs) implements Plan<V> {}

  /** L1 cannot decide: read the Redis entry, then plan again with it. */
  record ReadRedis<V>() implements Plan<V> {}

  /**
   * Call the origin: {@code leased} through the fleet lease (Redis answered), else for this instance
   * only. If the call fails, {@code stale} (Redis) or {@code local} (L1) may be served (stale-if-error);
   * {@code unreadableMs}: the write time of an entry this version cannot read, which the lease treats
   * as absent (-1 for none).
   */
  record Load<V>(L1Entry<V> local, Decoded<V> stale, long unreadableMs, boolean leased) implements Plan<V> {}

  /**
   * The origin is spared: serve {@code local} or {@code redis} (either may be null, however old), else
   * the spared fallback, else fail with {@link dev.ballast.cache.OriginSparedException}.
   */
  record Spared<V>(L1Entry<V> local, Decoded<V> redis) implements Plan<V> {}
}
