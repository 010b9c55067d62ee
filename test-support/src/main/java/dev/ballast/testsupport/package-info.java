/**
 * A real Redis server for tests, with fault injection.
 *
 * <p>Start with {@link dev.ballast.testsupport.RedisExtension}: {@code @ExtendWith(RedisExtension.class)}
 * for ordinary Redis tests (one shared server, a clean database per class), {@code @RegisterExtension
 * static RedisExtension redis = RedisExtension.dedicated()} for tests that stop, pause or restart their
 * server. {@link dev.ballast.testsupport.RedisServer} does the work and can be used on its own.
 *
 * <p>Where the server comes from: {@code REDIS_URL} if set (shared server only); else {@code redis-server}
 * on {@code PATH}; else the binary shipped in the {@code com.github.codemonstur:embedded-redis} jar. The
 * system property {@code ballast.redis.binary} ({@code path}, {@code embedded} or a file) forces the
 * choice of executable.
 *
 * <p>{@link dev.ballast.testsupport.ManualTicker} is a nanosecond clock moved by hand, for any Ballast
 * builder that takes a ticker or a sleeper.
 */
package dev.ballast.testsupport;
