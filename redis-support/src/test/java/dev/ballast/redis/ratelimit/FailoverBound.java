package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.Rate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The limiter's bound across one failover, the same on Sentinel and Cluster: a burst of 10 is drained from
 * Redis, the master holding the bucket is killed, and two instances (each on a client of its own) keep
 * asking until a replica took over and both decide on Redis again. The documented bound: across one
 * failover the fleet admits at most {@code rate × T + 3 × burst} in any window T: the bucket itself, the
 * instances' fallback shares (together one burst), and one burst again if the bucket's last write had not
 * reached the replica (Redis replication is asynchronous). The rate here is one an hour, so the rate term
 * is nothing and the bound is 30 permits in all.
 *
 * <p>The drain goes through a third instance with a generous Redis timeout: through the two instances'
 * 100 ms (short, so that they fall back promptly once the master is dead), a reply that a loaded machine
 * delays past 100 ms made an instance grant from its fallback share before the failover (12 granted where
 * the drain expects 10; reproduced by pausing the master 150 ms during the drain).
 */
final class FailoverBound {

  static final int BURST = 10;
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(10);

  private FailoverBound() {}

  /** One of the two instances kept asking across the failover. */
  static DistributedRateLimiter.Builder limiter(String name) {
    return sharing(name).redisTimeout(Duration.ofMillis(100));
  }

  /** The instance that drains the bucket before the failover: only Redis decides, however slow the machine. */
  static DistributedRateLimiter.Builder drainer(String name) {
    return sharing(name).redisTimeout(DRAIN_TIMEOUT);
  }

  private static DistributedRateLimiter.Builder sharing(String name) {
    return DistributedRateLimiter.builder().name(name).rate(Rate.of(1, Duration.ofHours(1)).withBurst(BURST))
        .instances(2);
  }

  /**
   * Drains the bucket through {@code drainer} (a {@link #drainer}, not used afterwards), runs {@code
   * killAndAwaitFailover} on another thread while {@code a} and {@code b} keep asking, and checks the bound.
   *
   * @return the permits granted after the kill
   */
  static int check(DistributedRateLimiter drainer, DistributedRateLimiter a, DistributedRateLimiter b,
      Runnable killAndAwaitFailover) {
    int before = 0;
    for (int i = 0; i < 2 * BURST; i++) {
      before += drainer.tryAcquire() ? 1 : 0;
    }
    assertThat(drainer.isFallingBack()).as("the drain decided on Redis").isFalse();
    assertThat(before).as("granted by Redis before the failover").isEqualTo(BURST);

    CompletableFuture<Void> failover = CompletableFuture.runAsync(killAndAwaitFailover);
    int[] after = {0};
    await("the failover, and both limiters deciding on Redis again").atMost(DEADLINE).pollInterval(Duration.ZERO)
        .until(() -> {
          for (DistributedRateLimiter limiter : List.of(a, b)) {
            after[0] += limiter.tryAcquire() ? 1 : 0;
          }
          Thread.sleep(5); // a caller's pace, not a wait for anything: the loop ends on the condition below
          return failover.isDone() && !a.isFallingBack() && !b.isFallingBack();
        });
    failover.join();
    for (int i = 0; i < 20; i++) { // on Redis again: the drained (or lost and refilled) bucket decides
      after[0] += a.tryAcquire() ? 1 : 0;
      after[0] += b.tryAcquire() ? 1 : 0;
    }
    assertThat(before + after[0]).as("permits across the failover (bound 3 × burst)").isLessThanOrEqualTo(3 * BURST);
    return after[0];
  }
}
