package dev.ballast.cache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * After the annotated method succeeds (for a {@code CompletionStage} method, after its stage completed
 * normally), invalidates its key in the cache registered under {@link #value()}: in Redis, in this
 * instance's L1 and, through the cache's invalidation channel, in every other instance's L1. A call that
 * fails evicts nothing. The key is computed before the call, so a null key argument fails it before the
 * method runs.
 * <pre>{@code
 * @CacheEvict(value = "products", key = "{0}")   // the same key as product(sku) caches under
 * void updatePrice(String sku, long cents);
 *
 * @CacheEvict(value = "products", allEntries = true)
 * void reloadCatalog();
 * }</pre>
 * Keys are written as for {@link Cached#key()}; note that the default key of a method with several
 * parameters joins them all, which rarely matches the reading method's key: say {@code key = "{0}"}.
 * Checked when wrapping, as {@link Cached} is.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface CacheEvict {

  /** The name of the cache in the registry. */
  String value();

  /** The key to invalidate, written as {@link Cached#key()}; not with {@link #allEntries()}. */
  String key() default "";

  /** Computes the key instead of {@link #key()}, as {@link Cached#keyGenerator()}. */
  Class<? extends KeyGenerator> keyGenerator() default KeyGenerator.class;

  /** Invalidate every entry of the cache ({@code SCAN} in Redis, so O(keys of the cache)) instead of one key. */
  boolean allEntries() default false;
}
