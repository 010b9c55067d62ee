package dev.ballast.examples;

import java.util.List;

/**
 * The run without Ballast: the same {@link StorefrontImpl}, database, payment provider and traffic, called
 * directly; no cache, no switchboard, no retries, no limiter (searches queue for a connection
 * however many there are). Order confirmations go to each instance's
 * in-process {@link PlainOrderJobs}, so checkout does the same work as with Ballast. Nothing is read-only
 * here, so nothing is deferred: while the database is down, writes fail with it.
 */
final class PlainDeployment implements Deployment {

  private final Backends backends;
  private final List<PlainOrderJobs> queues;
  private final List<Storefront> instances;

  PlainDeployment(Backends backends) {
    this.backends = backends;
    this.queues = List.of(new PlainOrderJobs("plain-a", 2, backends.ledger(), backends.mail()),
        new PlainOrderJobs("plain-b", 2, backends.ledger(), backends.mail()));
    this.instances = queues.stream()
        .<Storefront>map(jobs -> new StorefrontImpl(backends.database(), backends.payments(), jobs,
            DeferredWrites.NONE))
        .toList();
  }

  @Override
  public String label() {
    return "without Ballast";
  }

  @Override
  public boolean withBallast() {
    return false;
  }

  @Override
  public List<Storefront> instances() {
    return instances;
  }

  @Override
  public JobStats jobs() {
    JobLedger ledger = backends.ledger();
    long dead = queues.stream().mapToLong(PlainOrderJobs::dead).sum();
    long waiting = queues.stream().mapToLong(PlainOrderJobs::waiting).sum();
    long oldest = queues.stream().mapToLong(PlainOrderJobs::oldestAgeMillis).max().orElse(0);
    return new JobStats(ledger.enqueuedCount(), ledger.processedCount(), dead, waiting, oldest,
        ledger.failedAttempts());
  }

  @Override
  public JobStats deferredWrites() {
    return JobStats.NONE;
  }

  @Override
  public String switchboardState() {
    return "-";
  }

  @Override
  public String searchLimit() {
    return "-";
  }

  @Override
  public boolean serveCached() {
    return false;
  }

  @Override
  public void close() {
    queues.forEach(PlainOrderJobs::close);
  }
}
