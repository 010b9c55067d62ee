package dev.ballast.cache.internal;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.ToDoubleFunction;

/**
 * The cache's counts. Each is a {@link LongAdder} (L1 hits: a {@link HitCounter}, cheaper still) exposed
 * as a Micrometer function counter. Micrometer's {@code CacheMeterBinder} names, with its types and tags,
 * so that stock dashboards read them right: {@code cache.gets{result=hit|miss}} once per call (a call that
 * misses L1 and finds the value in Redis is one hit, not an L1 miss plus an L2 hit), {@code cache.puts}
 * once per fill or put, {@code cache.evictions}, gauge {@code cache.size} (L1). Per tier:
 * {@code ballast.cache.tier.gets{tier,result}} and {@code ballast.cache.tier.puts{tier}}. The loader's
 * timer is {@code ballast.cache.load}: Micrometer's Caffeine and JCache binders register
 * {@code cache.load.duration} as a TimeGauge (and {@code cache.load} as a counter), and in one registry
 * the first type registered under a name wins. Never a key as a tag.
 */
final class CacheMeters {

  final HitCounter l1Hits = new HitCounter();
  /**
   * Whether a registry reads the counts: without one nothing can read the L1 hit counter, so the hit path
   * skips it (issue 17: it was most of the hit's cost above a plain expiring lookup).
   */
  final boolean countsHits;
  final LongAdder l1Misses = new LongAdder();
  final LongAdder l2Hits = new LongAdder();
  final LongAdder l2Misses = new LongAdder();
  final LongAdder l1Puts = new LongAdder();
  final LongAdder l2Puts = new LongAdder();
  /** Fills (a loaded value stored) and puts: {@code cache.puts}. */
  final LongAdder puts = new LongAdder();
  final LongAdder l1Evictions = new LongAdder();
  final LongAdder loads = new LongAdder();
  final LongAdder loadFailures = new LongAdder();
  final LongAdder leaseWaits = new LongAdder();
  final LongAdder leaseTakeovers = new LongAdder();
  final LongAdder leaseWaitTimeouts = new LongAdder();
  final LongAdder fillsRejected = new LongAdder();
  final LongAdder invalidationsSent = new LongAdder();
  final LongAdder invalidationsReceived = new LongAdder();
  final LongAdder resyncs = new LongAdder();
  final LongAdder invalidationsDeferred = new LongAdder();
  final LongAdder invalidationsReplayed = new LongAdder();
  final LongAdder invalidationsDropped = new LongAdder();
  final LongAdder staleServes = new LongAdder();
  final LongAdder corrupt = new LongAdder();
  final LongAdder oversize = new LongAdder();
  final LongAdder l2Unavailable = new LongAdder();
  final LongAdder spared = new LongAdder();
  private final Timer loadSuccess;
  private final Timer loadFailure;
  private final MeterRegistry registry;
  private final Tags tags;

  CacheMeters(String cache, MeterRegistry registry) {
    this.countsHits = registry != null;
    if (registry == null) {
      loadSuccess = null;
      loadFailure = null;
      this.registry = null;
      this.tags = null;
      return;
    }
    Tags tags = Tags.of("cache", cache);
    this.registry = registry;
    this.tags = tags;
    // One get per call: every call counts one L1 hit or one L1 miss; a miss Redis served is a hit.
    FunctionCounter.builder("cache.gets", this, CacheMeters::hits).tags(tags.and("result", "hit"))
        .description("Calls served from the cache (L1 or Redis)").register(registry);
    FunctionCounter.builder("cache.gets", this, CacheMeters::misses).tags(tags.and("result", "miss"))
        .description("Calls the cache could not serve (loaded, joined a load, or spared)").register(registry);
    count(registry, "cache.puts", tags, puts, "Values stored: fills after a load, and puts");
    count(registry, "cache.evictions", tags, l1Evictions, "L1 entries evicted for size");
    FunctionCounter.builder("ballast.cache.tier.gets", l1Hits, HitCounter::sum)
        .tags(tags.and("tier", "l1", "result", "hit")).description("Lookups that found a fresh L1 entry")
        .register(registry);
    count(registry, "ballast.cache.tier.gets", tags.and("tier", "l1", "result", "miss"), l1Misses,
        "Lookups that went past L1");
    count(registry, "ballast.cache.tier.gets", tags.and("tier", "l2", "result", "hit"), l2Hits,
        "Redis lookups that found a value");
    count(registry, "ballast.cache.tier.gets", tags.and("tier", "l2", "result", "miss"), l2Misses,
        "Redis lookups that found none");
    count(registry, "ballast.cache.tier.puts", tags.and("tier", "l1"), l1Puts, "Entries stored in L1");
    count(registry, "ballast.cache.tier.puts", tags.and("tier", "l2"), l2Puts, "Entries written to Redis");
    count(registry, "ballast.cache.lease.waits", tags, leaseWaits, "Misses that waited for another instance's load");
    count(registry, "ballast.cache.lease.takeovers", tags, leaseTakeovers,
        "Waits that ended by taking over an expired or released lease");
    count(registry, "ballast.cache.lease.wait.timeouts", tags, leaseWaitTimeouts,
        "Waits that hit maxLeaseWait and loaded without the lease");
    count(registry, "ballast.cache.fills.rejected", tags, fillsRejected,
        "Loads not stored because the key was written or invalidated meanwhile");
    count(registry, "ballast.cache.invalidations.sent", tags, invalidationsSent, "Keys invalidated by this instance");
    count(registry, "ballast.cache.invalidations.received", tags, invalidationsReceived,
        "Keys evicted on other instances' messages");
    count(registry, "ballast.cache.invalidations.deferred", tags, invalidationsDeferred,
        "Invalidations (and puts turned into them) Redis did not take, kept for replay");
    count(registry, "ballast.cache.invalidations.replayed", tags, invalidationsReplayed,
        "Kept invalidations replayed once Redis answered");
    count(registry, "ballast.cache.invalidations.dropped", tags, invalidationsDropped,
        "Kept keys given up when the backlog was full, replaced by one invalidation of every key");
    count(registry, "ballast.cache.resyncs", tags, resyncs, "L1 clears after the invalidation subscription came back");
    count(registry, "ballast.cache.stale.serves", tags, staleServes, "Values served past their soft expiry");
    count(registry, "ballast.cache.l2.errors", tags.and("reason", "corrupt"), corrupt,
        "Redis entries that did not decode (counted as misses)");
    count(registry, "ballast.cache.l2.errors", tags.and("reason", "unavailable"), l2Unavailable,
        "Redis calls that failed or were skipped during an outage");
    count(registry, "ballast.cache.l2.oversize", tags, oversize, "Loaded values too large for Redis, kept in L1 only");
    count(registry, "ballast.cache.origin.spared", tags, spared,
        "Misses served without the loader while sparing the origin");
    loadSuccess = Timer.builder("ballast.cache.load").tags(tags.and("result", "success"))
        .description("Loader calls").register(registry);
    loadFailure = Timer.builder("ballast.cache.load").tags(tags.and("result", "failure"))
        .description("Loader calls").register(registry);
  }

  private double hits() {
    return l1Hits.sum() + l2Hits.sum();
  }

  private double misses() {
    return Math.max(0, l1Misses.sum() - l2Hits.sum());
  }

  /** Registers {@code cache.size}: L1's estimated entry count (Micrometer's binder counts the local map). */
  <T> void size(T l1, ToDoubleFunction<T> entries) {
    gauge("cache.size", l1, entries, "Entries in L1 (an estimate)");
  }

  /** Registers a gauge tagged with the cache (nothing without a registry). */
  <T> void gauge(String name, T owner, ToDoubleFunction<T> value, String description) {
    if (registry != null) {
      Gauge.builder(name, owner, value).tags(tags).description(description).register(registry);
    }
  }

  private static void count(MeterRegistry registry, String name, Tags tags, LongAdder adder, String description) {
    FunctionCounter.builder(name, adder, LongAdder::sum).tags(tags).description(description).register(registry);
  }

  void loaded(long nanos, boolean success) {
    (success ? loads : loadFailures).increment();
    Timer timer = success ? loadSuccess : loadFailure;
    if (timer != null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
