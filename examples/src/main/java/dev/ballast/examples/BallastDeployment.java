package dev.ballast.examples;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.queue.QueueStats;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;

/**
 * The run with Ballast: two {@link Instance}s ("a" and "b") on one Redis, sharing the switchboard's state,
 * the cache's second tier and the job queue through it, each with its own objects.
 */
final class BallastDeployment implements Deployment {

  private final Backends backends;
  private final List<Instance> fleet;
  private final List<Storefront> instances;

  private BallastDeployment(Backends backends, List<Instance> fleet) {
    this.backends = backends;
    this.fleet = fleet;
    this.instances = fleet.stream().map(Instance::storefront).toList();
  }

  /**
   * Starts both instances; {@code flips} hears instance a's switchboard (the fleet's state, so one is enough).
   */
  static BallastDeployment start(Backends backends, RedisClient redis, MeterRegistry metrics, FlipLog flips) {
    ConfigFiles files = ConfigFiles.unpack();
    List<Instance> fleet = new ArrayList<>();
    try {
      fleet.add(Instance.start("a", files.instance("a"), backends, redis, metrics));
      fleet.add(Instance.start("b", files.instance("b"), backends, redis, metrics));
    } catch (RuntimeException e) {
      fleet.forEach(Instance::close);
      throw e;
    } finally {
      files.close(); // read once, at start
    }
    fleet.get(0).switchboard().addListener(flips);
    return new BallastDeployment(backends, List.copyOf(fleet));
  }

  /** Instance a's switchboard, for the operator page. */
  Switchboard switchboard() {
    return fleet.get(0).switchboard();
  }

  @Override
  public String label() {
    return "with Ballast";
  }

  @Override
  public boolean withBallast() {
    return true;
  }

  @Override
  public List<Storefront> instances() {
    return instances;
  }

  @Override
  public JobStats jobs() {
    QueueStats stats = fleet.get(0).queue().stats(); // the queue is in Redis: one instance's view is the fleet's
    JobLedger ledger = backends.ledger();
    return new JobStats(ledger.enqueuedCount(), ledger.processedCount(), stats.dead(), stats.pending(),
        stats.oldestReadyAgeMillis(), ledger.failedAttempts());
  }

  @Override
  public JobStats deferredWrites() {
    QueueStats stats = fleet.get(0).writes().stats();
    JobLedger ledger = backends.ledger();
    return new JobStats(ledger.deferredCount(), ledger.appliedCount(), stats.dead(), stats.pending(),
        stats.oldestReadyAgeMillis(), ledger.failedWriteAttempts());
  }

  @Override
  public String switchboardState() {
    return describe(switchboard());
  }

  /** The degraded switches of {@code board}, e.g. "serve-cached, read-only, recommendations off", or "normal". */
  static String describe(Switchboard board) {
    List<String> degraded = new ArrayList<>();
    for (Switch s : board.switches()) {
      if (s.degraded() && !s.name().equals(SwitchName.ALL_FEATURES)) { // each feature is listed on its own
        degraded.add(s.name().isFeature() ? s.name().featureName() + " off" : s.name().id());
      }
    }
    return degraded.isEmpty() ? "normal" : String.join(", ", degraded);
  }

  @Override
  public String searchLimit() {
    return fleet.stream().map(instance -> String.valueOf(instance.searchLimiter().limit()))
        .collect(java.util.stream.Collectors.joining("+"));
  }

  @Override
  public boolean serveCached() {
    return switchboard().isServingCached();
  }

  @Override
  public void close() {
    fleet.forEach(Instance::close);
  }
}
