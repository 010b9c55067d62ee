package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import java.util.concurrent.CompletionStage;

/**
 * Loads one value from the origin on a cache miss without blocking: it starts the call (an HTTP request,
 * an async database query) and returns its stage. The cache holds no thread while the stage is pending;
 * it continues when the stage completes. Called at most once at a time per key in a JVM, and (with Redis)
 * by one instance of the fleet at a time while its lease holds. Use with
 * {@link TieredCache#getAsync}.
 *
 * <pre>{@code
 * CompletableFuture<Product> p = products.getAsync("sku-1", catalogClient::fetchAsync);
 * }</pre>
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface AsyncLoader<K, V> {

  /**
   * Starts loading the value for {@code key} and returns its stage, completed with the value or null if
   * there is none (cached as an absence when the cache has a negative TTL), or failed. A loader that
   * throws, or returns a null stage, counts as a failed load.
   */
  CompletionStage<? extends @Nullable V> load(K key);
}
