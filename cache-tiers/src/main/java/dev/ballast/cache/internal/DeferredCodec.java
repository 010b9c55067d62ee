package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;

/**
 * The value codec of a cache created from a {@link dev.ballast.cache.CacheSpec} before any
 * {@code @Cached} method said what it holds (a {@code @CacheEvict} method can be wrapped first, and an
 * evicting instance may never read): invalidation needs no value codec, so the cache is created at once
 * and the codec is bound by the first reader. Bound once; a volatile read per Redis read or write.
 */
public final class DeferredCodec implements Codec<Object> {

  private final String cacheName;
  private volatile Codec<Object> bound;

  /** @param cacheName for the message when a value is coded before the type is known */
  public DeferredCodec(String cacheName) {
    this.cacheName = cacheName;
  }

  /** Binds the codec; the caller ({@code CacheSpec}, under its lock) ensures it happens once. */
  public void bind(Codec<Object> codec) {
    this.bound = codec;
  }

  /** Whether a codec is bound. */
  public boolean isBound() {
    return bound != null;
  }

  @Override
  public byte[] encode(Object value) {
    return codec().encode(value);
  }

  @Override
  public Object decode(byte[] bytes) {
    return codec().decode(bytes);
  }

  private Codec<Object> codec() {
    Codec<Object> codec = bound;
    if (codec == null) {
      throw new IllegalStateException("cache '" + cacheName + "' has no value type yet: no @Cached method uses it");
    }
    return codec;
  }

  @Override
  public String toString() {
    Codec<Object> codec = bound;
    return codec == null ? "DeferredCodec[unbound]" : codec.toString();
  }
}
