package dev.ballast.testsupport;

/**
 * JUnit 5 extension that launches a local {@link RedisCluster} (3 masters, 3 replicas) for one test class
 * and injects it as a {@code RedisCluster} parameter. After each test, paused nodes are resumed, stopped
 * ones restarted and the extension waits until the cluster is healthy again (roles may have changed).
 * Register it on a <em>static</em> field:
 *
 * <pre>{@code
 * class CacheOnClusterTest {
 *   @RegisterExtension static final RedisClusterExtension cluster = RedisClusterExtension.create();
 *
 *   @Test void survivesFailover(RedisCluster cluster) { ... cluster.masterForSlot(s).kill(); ... }
 * }
 * }</pre>
 */
public final class RedisClusterExtension extends TopologyExtension<RedisCluster> {

  private RedisClusterExtension(RedisCluster.Builder options) {
    super(RedisCluster.class, options::launch);
  }

  /** Returns an extension launching a cluster with default options. */
  public static RedisClusterExtension create() {
    return create(RedisCluster.builder());
  }

  /** Returns an extension launching a cluster with {@code options} before the class. */
  public static RedisClusterExtension create(RedisCluster.Builder options) {
    return new RedisClusterExtension(options);
  }
}
