/**
 * The Spring Boot starter: {@link dev.ballast.spring.BallastAutoConfiguration} reads {@code ballast.*}
 * from the environment, applies Ballast's annotations to beans and, when asked, serves Spring's caching
 * from tiered caches ({@link dev.ballast.spring.BallastCacheManager}). Non-null unless marked
 * {@code @Nullable}, as Spring's own packages are (JSpecify).
 */
@NullMarked
package dev.ballast.spring;

import org.jspecify.annotations.NullMarked;
