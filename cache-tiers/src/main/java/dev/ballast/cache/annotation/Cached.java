package dev.ballast.cache.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Reads the annotated interface method through the cache registered under {@link #value()}, when the
 * implementation is wrapped with {@link dev.ballast.core.annotation.Wrapper#wrap}: a hit returns the
 * cached value without calling the method (nor anything inside the cache in
 * {@link dev.ballast.core.annotation.spi.InterceptorOrder}: no retry, no breaker call, no permit); a miss
 * runs the method once per key in the JVM (and, with Redis, in the fleet) and stores its result.
 * <pre>{@code
 * @Cached("products")                          // key: the one argument
 * Product product(String sku);
 *
 * @Cached(value = "prices", key = "price:{0}:{1.region}")
 * Price price(String sku, Customer customer);   // customer.region() or customer.getRegion()
 *
 * @Cached("products")
 * CompletionStage<Optional<Product>> find(String sku);   // async; empty is an absence
 * }</pre>
 *
 * <p>The name resolves, in the registry given to {@code wrap}, to a {@link dev.ballast.cache.TieredCache}
 * (used as is, with its own codecs; its keys must be Strings and its values the method's) or else to a {@link dev.ballast.cache.CacheSpec} (from the
 * {@code caches} configuration section), which creates the cache with a value codec chosen from the
 * method's return type. A {@code CompletionStage<T>} method is served asynchronously, and an
 * {@code Optional<T>} or null result is an absence: cached when the cache has a negative TTL, else not.
 * An asynchronous miss runs on the cache's executor and holds one of its threads until the method's stage
 * completes. The method's own exceptions reach the caller as thrown (through the stage, when async).
 *
 * <p>Checked when wrapping, naming the method: a {@code void}, {@code Void} or
 * {@code CompletionStage<Void>} method; an unknown cache name; a bad key expression; a key generator
 * without a public no-argument constructor; {@code @Cached} together with {@link CacheEvict}; and a cache
 * from configuration already used for another value type.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Cached {

  /** The name of the cache in the registry. */
  String value();

  /**
   * The key: literal text with placeholders {@code {n}} (argument {@code n}'s {@code toString()}) and
   * {@code {n.name}} (argument {@code n}'s {@code name()} or {@code getName()}, found when wrapping).
   * Empty (the default): the one argument; several arguments joined with {@code ':'} (a {@code ':'} or
   * {@code '\'} inside an argument escaped with {@code '\'}, so different arguments never share a key); for
   * none, the method's name. A null argument (or accessor result) fails the call with a
   * {@link NullPointerException} naming the parameter and the method. A placeholder whose type inherits
   * {@code Object.toString()} (every value a new key) is refused when wrapping.
   */
  String key() default "";

  /**
   * Computes keys instead of {@link #key()} (give one or the other); needs a public no-argument
   * constructor. The default, {@code KeyGenerator.class} itself, means none.
   */
  Class<? extends KeyGenerator> keyGenerator() default KeyGenerator.class;
}
