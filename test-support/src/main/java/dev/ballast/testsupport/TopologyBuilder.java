package dev.ballast.testsupport;

import java.time.Duration;

/**
 * The options every local topology has: how long its waits may take and which executable its servers
 * run. Each may be set once; a second call throws {@link IllegalStateException}.
 *
 * @param <B> the concrete builder, returned for chaining
 */
abstract class TopologyBuilder<B extends TopologyBuilder<B>> {

  private static final Duration DEFAULT_READY_TIMEOUT = Duration.ofSeconds(60);

  private Duration readyTimeout;
  private String binary;

  TopologyBuilder() {}

  /**
   * Sets how long the launch, {@code heal()} and the failover waits may take (default 60 s: the machine
   * running the tests may be loaded).
   *
   * @throws IllegalArgumentException if not positive
   * @throws IllegalStateException if already set
   */
  public B readyTimeout(Duration timeout) {
    readyTimeout = OptionRules.positiveOnce(readyTimeout, timeout, "readyTimeout");
    return self();
  }

  /**
   * Chooses the executable as {@code ballast.redis.binary} would ({@code path}, {@code embedded} for the
   * bundled 6.2, or a file), overriding that property: for a test that needs one version whatever is on
   * {@code PATH}.
   *
   * @throws IllegalStateException if already set
   */
  public B binary(String spec) {
    binary = OptionRules.once(binary, spec, "binary");
    return self();
  }

  Duration readyTimeoutOrDefault() {
    return readyTimeout != null ? readyTimeout : DEFAULT_READY_TIMEOUT;
  }

  /** A server builder using this topology's executable. */
  RedisServer.Builder server() {
    RedisServer.Builder server = RedisServer.builder();
    return binary != null ? server.binary(binary) : server;
  }

  @SuppressWarnings("unchecked")
  private B self() {
    return (B) this;
  }
}
