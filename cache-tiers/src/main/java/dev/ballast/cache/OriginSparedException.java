package dev.ballast.cache;

/**
 * The application asked the cache to spare the origin ({@link TieredCacheBuilder#spareOrigin}) and the
 * cache had nothing for the key, however stale, and no fallback was configured
 * ({@link TieredCacheBuilder#sparedFallback}).
 */
public class OriginSparedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message names the cache and the key */
  public OriginSparedException(String message) {
    super(message);
  }
}
