/**
 * A real Redis server for tests, with fault injection; and local Redis Cluster and Sentinel topologies.
 *
 * <p>Start with {@link dev.ballast.testsupport.RedisExtension}: {@code @ExtendWith(RedisExtension.class)}
 * for ordinary Redis tests (one shared server, a clean database per class), {@code @RegisterExtension
 * static RedisExtension redis = RedisExtension.dedicated()} for tests that stop, pause or restart their
 * server. {@link dev.ballast.testsupport.RedisServer} does the work and can be used on its own.
 *
 * <p>Topologies: {@link dev.ballast.testsupport.RedisClusterExtension} gives a class a {@link
 * dev.ballast.testsupport.RedisCluster} (3 masters, 3 replicas), {@link
 * dev.ballast.testsupport.RedisSentinelExtension} a {@link dev.ballast.testsupport.RedisSentinelSetup}
 * (master, replica, 3 Sentinels); both heal themselves after each test (resume, restart, wait for health).
 *
 * <p>Where the server comes from: {@code REDIS_URL} if set (shared server only); else {@code redis-server}
 * on {@code PATH}; else the binary shipped in the {@code com.github.codemonstur:embedded-redis} jar. The
 * system property {@code ballast.redis.binary} ({@code path}, {@code embedded} or a file) forces the
 * choice of executable, for single servers and topologies alike.
 *
 * <p>{@link dev.ballast.testsupport.ManualTicker} is a nanosecond clock moved by hand, for any Ballast
 * builder that takes a ticker or a sleeper.
 */
package dev.ballast.testsupport;
