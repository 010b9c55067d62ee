/**
 * The cache's annotations, applied by {@link dev.ballast.core.annotation.Wrapper#wrap}:
 * {@link dev.ballast.cache.annotation.Cached @Cached} and
 * {@link dev.ballast.cache.annotation.CacheEvict @CacheEvict}, with a
 * {@link dev.ballast.cache.annotation.KeyGenerator} where a key expression will not do. Non-null unless
 * marked {@code @Nullable}: a method's arguments may be null.
 */
@NullMarked
package dev.ballast.cache.annotation;

import org.jspecify.annotations.NullMarked;
