package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import dev.ballast.cache.internal.DeferredCodec;
import dev.ballast.cache.internal.ValueCodecs;
import dev.ballast.core.Registry;
import dev.ballast.core.internal.Check;
import java.lang.reflect.Type;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A cache's settings without its value codec, registered under the cache's name so that
 * {@code @Cached("products")} can create the {@link TieredCache} itself, with UTF-8 keys and a value codec
 * chosen from the annotated method's return type: {@code String} as UTF-8, {@code byte[]} as is,
 * anything else as JSON through Jackson (an optional dependency; {@code List<Product>} works too), or by
 * the codecs given to {@link #withValueCodecs}. The
 * {@code caches} configuration section registers one per entry; from code:
 * <pre>{@code
 * Registry registry = Registry.builder()
 *     .add("products", CacheSpec.of("products", cache -> cache.redis(redisClient).ttl(Duration.ofMinutes(5))))
 *     .build();
 * Storefront storefront = Wrapper.wrap(Storefront.class, new DatabaseStorefront(db), registry);
 * }</pre>
 * The spec creates one cache, at the first {@link #cache} call (when the first annotated method is
 * wrapped), and its value type is fixed by the first {@code @Cached} method: a method with another value
 * type is refused. To choose codecs yourself, register a {@link TieredCache} under the name instead.
 * {@link #close()} closes the cache it created ({@link Registry#close()} calls it).
 *
 * <p>Settings are immutable; the created cache is guarded by this object's lock (created once, at wrap
 * time, so the lock is off every call's path).
 */
public final class CacheSpec implements AutoCloseable {

  private final String name;
  private final Consumer<? super TieredCacheBuilder<String, ?>> settings;
  private final TieredCacheConfig config;
  private final @Nullable String spareOrigin;
  /** Codecs for values other than String and byte[]; null for JSON through a plain ObjectMapper. */
  private final @Nullable Function<? super Type, ? extends Codec<?>> valueCodecs;

  // Guarded by this.
  private @Nullable DeferredCodec codec;
  private @Nullable TieredCache<String, Object> cache;
  private @Nullable Type valueType;
  private @Nullable String valueTypeFor;
  private boolean closed;

  private CacheSpec(String name, Consumer<? super TieredCacheBuilder<String, ?>> settings, @Nullable String spareOrigin,
      @Nullable Function<? super Type, ? extends Codec<?>> valueCodecs) {
    this.name = name;
    this.settings = settings;
    this.spareOrigin = spareOrigin;
    this.valueCodecs = valueCodecs;
    TieredCacheBuilder<String, String> probe = TieredCache.builder(name, Codec.utf8(), Codec.utf8());
    settings.accept(probe);
    this.config = probe.config(); // validates now, not at the first wrap
  }

  /**
   * A spec for the cache {@code name}, whose settings {@code settings} applies to a builder (it may be
   * called more than once, so it must only set options).
   * <pre>{@code
   * CacheSpec.of("products", cache -> cache.redis(client).l1Ttl(Duration.ofMillis(100)).negativeTtl(Duration.ofSeconds(30)))
   * }</pre>
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException naming the first bad setting
   * @throws IllegalStateException if the settings set an option twice
   */
  public static CacheSpec of(String name, Consumer<? super TieredCacheBuilder<String, ?>> settings) {
    return new CacheSpec(Check.notBlank(name, "CacheSpec.name"), Check.notNull(settings, "CacheSpec.settings"), null,
        null);
  }

  /**
   * This spec, with the origin spared while the {@link BooleanSupplier} registered as {@code component}
   * answers true ({@link TieredCacheBuilder#spareOrigin}); it is looked up in the registry given to
   * {@link #cache}, when the cache is created. The degradation module's switchboard registers one.
   *
   * @throws IllegalArgumentException if the name is blank
   */
  public CacheSpec withSpareOrigin(String component) {
    return new CacheSpec(name, settings, Check.notBlank(component, "CacheSpec.spareOrigin"), valueCodecs);
  }

  /**
   * This spec, with values other than {@code String} and {@code byte[]} coded by the codec that
   * {@code codecs} returns for their type, instead of JSON through a plain {@code new ObjectMapper()}; e.g.
   * your own mapper: {@code type -> JsonCodec.of(mapper, mapper.getTypeFactory().constructType(type))}.
   * Called once, when the cache's value type is fixed.
   *
   * @throws NullPointerException if {@code codecs} is null
   */
  public CacheSpec withValueCodecs(Function<? super Type, ? extends Codec<?>> codecs) {
    return new CacheSpec(name, settings, spareOrigin, Check.notNull(codecs, "CacheSpec.valueCodecs"));
  }

  /** The cache's name. */
  public String name() {
    return name;
  }

  /** The cache's validated settings. */
  public TieredCacheConfig config() {
    return config;
  }

  /** The name of the {@link BooleanSupplier} that spares the origin, if any. */
  public Optional<String> spareOrigin() {
    return Optional.ofNullable(spareOrigin);
  }

  /**
   * Returns the cache, creating it on the first call. The first call with a {@code valueType} fixes the
   * type of the values (and so the codec); {@code null} asks for the cache without saying (to invalidate).
   *
   * @param valueType what the caller stores, e.g. {@code Product} or {@code List<Product>}; null for any
   * @param usedBy who asks, for messages, e.g. {@code "Storefront.product"}
   * @param registry where the {@linkplain #withSpareOrigin spare-origin} signal is found
   * @throws IllegalArgumentException if the cache holds another value type, the type needs Jackson and it
   *     is missing, or the spare-origin signal is not in the registry
   * @throws IllegalStateException if this spec is closed
   */
  @SuppressWarnings("unchecked")
  public synchronized <V> TieredCache<String, V> cache(@Nullable Type valueType, String usedBy, Registry registry) {
    Check.notNull(usedBy, "usedBy");
    Check.notNull(registry, "registry");
    if (closed) {
      throw new IllegalStateException("CacheSpec '" + name + "' is closed");
    }
    Codec<Object> valueCodec = null;
    if (valueType != null) {
      if (this.valueType != null && !this.valueType.equals(valueType)) {
        throw new IllegalArgumentException("cache '" + name + "' already holds " + this.valueType.getTypeName()
            + " values (for " + valueTypeFor + "), not " + valueType.getTypeName()
            + ": one cache holds one type; give this method a cache of its own");
      }
      if (this.valueType == null) {
        valueCodec = ValueCodecs.forType(valueType, valueCodecs, ValueCodecs.jacksonPresent(), name);
      }
    }
    if (cache == null) {
      DeferredCodec deferred = new DeferredCodec(name);
      TieredCacheBuilder<String, Object> builder = TieredCache.builder(name, Codec.utf8(), deferred);
      settings.accept(builder);
      if (spareOrigin != null) {
        builder.spareOrigin(spareSignal(registry));
      }
      cache = builder.build();
      codec = deferred;
    }
    if (valueCodec != null) {
      codec.bind(valueCodec);
      this.valueType = valueType;
      this.valueTypeFor = usedBy;
    }
    return (TieredCache<String, V>) (TieredCache<String, ?>) cache;
  }

  private BooleanSupplier spareSignal(Registry registry) {
    if (!registry.namesOf(BooleanSupplier.class).contains(spareOrigin)) {
      throw new IllegalArgumentException("cache '" + name + "' spares the origin when the BooleanSupplier '"
          + spareOrigin + "' says so, but the registry has none by that name (BooleanSupplier names: "
          + registry.namesOf(BooleanSupplier.class) + "); register one (the degradation module's switchboard"
          + " section does) or remove spareOrigin");
    }
    return registry.get(spareOrigin, BooleanSupplier.class);
  }

  /** Closes the cache this spec created, if any; later {@link #cache} calls fail. */
  @Override
  public synchronized void close() {
    closed = true;
    if (cache != null) {
      cache.close();
    }
  }

  @Override
  public String toString() {
    return "CacheSpec[" + name + (spareOrigin == null ? "" : ", spareOrigin=" + spareOrigin) + "]";
  }
}
