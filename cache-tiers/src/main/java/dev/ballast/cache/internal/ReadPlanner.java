package dev.ballast.cache.internal;

/**
 * The decisions of every read, as one pure function from what is known (the L1 entry, the Redis entry if
 * read, the spare signal, the clocks) to a {@link Plan}. No I/O, no state: tested without Redis.
 *
 * @param twoTier whether the cache has Redis
 * @param staleWhileRevalidate serve a stale value at once and refresh it
 * @param earlyRefreshBeta XFetch's beta, 0 for off
 * @param keepL1DuringOutage serve a fresh L1 entry again while Redis cannot be asked (availability over
 *     freshness); by default the origin is asked, since another instance's write cannot reach this one
 */
record ReadPlanner(boolean twoTier, boolean staleWhileRevalidate, double earlyRefreshBeta,
    boolean keepL1DuringOutage) {

  private static final Plan.ReadRedis<?> READ_REDIS = new Plan.ReadRedis<>();

  /**
   * The next step of a read of one key that L1 could not serve as a plain hit.
   *
   * @param local the L1 entry, or null
   * @param redis what Redis holds, or null when not read yet
   * @param spare whether the origin is to be spared now
   * @param now ticker nanos (L1's time base)
   * @param redisNowMs Redis's clock in epoch ms (the Redis entry's time base)
   * @param random uniform in (0, 1]: XFetch's draw
   */
  <V> Plan<V> plan(L1Entry<V> local, L2Read<V> redis, boolean spare, long now, long redisNowMs, double random) {
    if (spare) {
      if (local != null) {
        return new Plan.Spared<>(local, null);
      }
      if (twoTier && redis == null) {
        return readRedis();
      }
      return new Plan.Spared<>(null, redis instanceof Decoded<V> found ? found : null);
    }
    L1Entry<V> usable = local != null && local.usable(now) ? local : null;
    if (usable != null && staleWhileRevalidate && !usable.fresh(now)) {
      return new Plan.ServeLocal<>(usable, true, false, -1);
    }
    if (redis == null) {
      return twoTier ? readRedis() : new Plan.Load<>(usable, null, -1, false);
    }
    if (redis instanceof L2Read.Down<V> || redis instanceof L2Read.Interrupted<V>) {
      return keepL1DuringOutage && usable != null && usable.fresh(now)
          ? new Plan.ServeLocal<>(usable, false, true, Plan.NO_REFRESH)
          : new Plan.Load<>(usable, null, -1, false);
    }
    if (redis instanceof L2Read.Unreadable<V> unreadable) {
      return new Plan.Load<>(usable, null, unreadable.writeMs(), true);
    }
    if (redis instanceof Decoded<V> entry) {
      if (entry.softMs() > redisNowMs) {
        return new Plan.ServeRedis<>(entry, false, refreshEarly(entry, redisNowMs, random)
            ? entry.writeMs() : Plan.NO_REFRESH);
      }
      if (entry.hardMs() > redisNowMs) {
        return staleWhileRevalidate
            ? new Plan.ServeRedis<>(entry, true, -1)
            : new Plan.Load<>(usable, entry, -1, true);
      }
    }
    return new Plan.Load<>(usable, null, -1, true);
  }

  @SuppressWarnings("unchecked")
  private static <V> Plan<V> readRedis() {
    return (Plan<V>) READ_REDIS; // no state: one for all, so an L2 hit allocates no plan for it
  }

  /** XFetch: refresh when now - delta * beta * ln(random) reaches the expiry; slow loads refresh earlier. */
  private boolean refreshEarly(Decoded<?> entry, long redisNowMs, double random) {
    return earlyRefreshBeta > 0
        && redisNowMs - Math.max(entry.loadMs(), 1) * earlyRefreshBeta * Math.log(random) >= entry.softMs();
  }
}
