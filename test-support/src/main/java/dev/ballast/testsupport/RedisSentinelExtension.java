package dev.ballast.testsupport;

/**
 * JUnit 5 extension that launches a local {@link RedisSentinelSetup} (master, replica, three Sentinels)
 * for one test class and injects it as a {@code RedisSentinelSetup} parameter. After each test, paused
 * servers are resumed, stopped ones restarted and the extension waits until the Sentinels agree again
 * (the master may have changed). Register it on a <em>static</em> field:
 *
 * <pre>{@code
 * class QueueOnSentinelTest {
 *   @RegisterExtension static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();
 *
 *   @Test void followsFailover(RedisSentinelSetup setup) { ... setup.master().kill(); ... }
 * }
 * }</pre>
 */
public final class RedisSentinelExtension extends TopologyExtension<RedisSentinelSetup> {

  private RedisSentinelExtension(RedisSentinelSetup.Builder options) {
    super(RedisSentinelSetup.class, options::launch);
  }

  /** Returns an extension launching a setup with default options. */
  public static RedisSentinelExtension create() {
    return create(RedisSentinelSetup.builder());
  }

  /** Returns an extension launching a setup with {@code options} before the class. */
  public static RedisSentinelExtension create(RedisSentinelSetup.Builder options) {
    return new RedisSentinelExtension(options);
  }
}
