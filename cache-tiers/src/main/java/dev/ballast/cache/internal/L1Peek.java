package dev.ballast.cache.internal;

/**
 * The {@code @Cached} hit path's shortcut into a cache: serving an L1 hit needs no loader, and a loader
 * that captures the call would be one allocation per hit. Not API: implemented by the caches this module
 * builds; the annotation falls back to {@code get} for any other.
 *
 * @param <K> key type
 */
public interface L1Peek<K> {

  /** What {@link #peek} returns when L1 cannot serve the key. */
  Object MISS = new Object() {
    @Override
    public String toString() {
      return "L1Peek.MISS";
    }
  };

  /**
   * The value (null for a cached absence) if L1 may serve {@code key} now, counted as a hit exactly as
   * {@code get} counts one; else {@link #MISS}, counting nothing (the {@code get} that follows counts the
   * miss).
   */
  Object peek(K key);
}
