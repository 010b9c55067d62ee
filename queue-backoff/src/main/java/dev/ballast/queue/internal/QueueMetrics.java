package dev.ballast.queue.internal;

import dev.ballast.queue.QueueStats;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code ballast.queue.*} meters of one queue, tagged {@code queue}, {@code type} and
 * {@code priority} only. Depth gauges read a stats snapshot refreshed at most once a second, on the
 * scraping thread, so a scrape costs at most one backend round trip per second and a failing backend
 * leaves the last values in place.
 *
 * <p><b>Workers needed</b> (Little's law, L = λ·W): with λ the jobs enqueued per second through this
 * instance since the previous refresh, S the mean handler time in seconds over the same interval (the last
 * known one when nothing finished), B the ready backlog and T the target age, the gauge is
 * {@code λ·S + B·S/T}: the workers that keep up with arrivals, plus those that drain today's backlog
 * within the target age.
 *
 * <p>Thread-safe: counters are Micrometer's; the snapshot and its inputs are swapped under this object's
 * monitor.
 */
final class QueueMetrics {

  private static final Logger log = LoggerFactory.getLogger(QueueMetrics.class);
  private static final long REFRESH_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final MeterRegistry registry;
  private final String queue;
  private final Supplier<QueueStats> stats;
  private final double targetAgeSeconds;
  private final int priorities;
  private final ConcurrentHashMap<String, TypeMeters> types = new ConcurrentHashMap<>();
  private final Counter corrupt;
  private final LongAdder enqueued = new LongAdder();
  private final LongAdder handled = new LongAdder();
  private final LongAdder handlerNanos = new LongAdder();

  private QueueStats snapshot;
  private long snapshotAt = Long.MIN_VALUE / 2;
  private long lastEnqueued;
  private long lastHandled;
  private long lastHandlerNanos;
  private double meanServiceSeconds;
  private double workersNeeded;

  /** Counters and the timer of one job type. */
  record TypeMeters(Counter processed, Counter failed, Counter retried, Counter deadLettered, Counter hung,
      Timer duration) {}

  private final dev.ballast.core.Ticker ticker;

  QueueMetrics(MeterRegistry registry, String queue, int priorities, Supplier<QueueStats> stats,
      double targetAgeSeconds, dev.ballast.core.Ticker ticker) {
    this.ticker = ticker;
    this.registry = registry;
    this.queue = queue;
    this.stats = stats;
    this.targetAgeSeconds = targetAgeSeconds;
    this.priorities = priorities;
    if (registry == null) {
      corrupt = null;
      return;
    }
    // Tagged by queue only: a corrupt hash's type field cannot be trusted as a tag.
    corrupt = Counter.builder("ballast.queue.corrupt").description("Jobs dead-lettered alone: stored data corrupt")
        .tag("queue", queue).register(registry);
    for (int p = 0; p < priorities; p++) {
      int priority = p;
      Gauge.builder("ballast.queue.ready", this, m -> m.current().readyByPriority().get(priority))
          .description("Jobs ready to run").tag("queue", queue).tag("priority", Integer.toString(p))
          .register(registry);
    }
    gauge("ballast.queue.delayed", "Jobs waiting for their delay or next attempt", s -> s.delayed());
    gauge("ballast.queue.inflight", "Jobs claimed and not yet acknowledged", s -> s.inFlight());
    gauge("ballast.queue.dead", "Jobs in the dead-letter set", s -> s.dead());
    Gauge.builder("ballast.queue.oldest.age", this, m -> m.current().oldestReadyAgeMillis() / 1000.0)
        .description("Age of the oldest ready job").baseUnit("seconds").tag("queue", queue).register(registry);
    Gauge.builder("ballast.queue.workers.needed", this, QueueMetrics::workersNeeded)
        .description("Workers needed to keep the oldest job under the target age (Little's law)")
        .tag("queue", queue).register(registry);
  }

  private void gauge(String name, String description, java.util.function.ToDoubleFunction<QueueStats> f) {
    Gauge.builder(name, this, m -> f.applyAsDouble(m.current())).description(description).tag("queue", queue)
        .register(registry);
  }

  TypeMeters forType(String type) {
    if (registry == null) {
      return null;
    }
    return types.computeIfAbsent(type, t -> new TypeMeters(
        counter("ballast.queue.processed", "Jobs whose handler succeeded", t),
        counter("ballast.queue.failed", "Attempts that failed", t),
        counter("ballast.queue.retried", "Failed attempts scheduled to run again", t),
        counter("ballast.queue.dead.lettered", "Jobs moved to the dead-letter set", t),
        counter("ballast.queue.handler.hung", "Handlers past their visibility deadline and grace, whose worker was"
            + " replaced", t),
        Timer.builder("ballast.queue.handler.duration").description("Handler time per attempt")
            .tag("queue", queue).tag("type", t).register(registry)));
  }

  private Counter counter(String name, String description, String type) {
    return Counter.builder(name).description(description).tag("queue", queue).tag("type", type).register(registry);
  }

  /** Counts jobs dead-lettered alone because their stored data is corrupt (tagged by queue only). */
  void corrupt(int n) {
    if (corrupt != null) {
      corrupt.increment(n);
    }
  }

  void enqueued(int n) {
    enqueued.add(n);
  }

  void handled(TypeMeters meters, long nanos) {
    handled.increment();
    handlerNanos.add(nanos);
    if (meters != null) {
      meters.duration().record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  static void count(TypeMeters meters, java.util.function.Function<TypeMeters, Counter> which) {
    count(meters, which, 1);
  }

  static void count(TypeMeters meters, java.util.function.Function<TypeMeters, Counter> which, int n) {
    if (meters != null && n > 0) {
      which.apply(meters).increment(n);
    }
  }

  /** The snapshot, refreshed if older than a second. */
  synchronized QueueStats current() {
    long now = ticker.read();
    if (snapshot == null || now - snapshotAt >= REFRESH_NANOS) {
      refresh(now);
    }
    return snapshot;
  }

  private double workersNeeded() {
    current();
    synchronized (this) {
      return workersNeeded;
    }
  }

  private void refresh(long now) {
    QueueStats fresh;
    try {
      fresh = stats.get();
    } catch (RuntimeException e) {
      log.debug("Queue {}: stats unavailable, keeping the last ones: {}", queue, e.toString());
      if (snapshot == null) {
        snapshot = new QueueStats(java.util.Collections.nCopies(priorities, 0L), 0, 0, 0, 0);
        snapshotAt = now;
      }
      return;
    }
    double seconds = snapshot == null ? 0 : (now - snapshotAt) / 1e9;
    long e = enqueued.sum();
    long h = handled.sum();
    long hn = handlerNanos.sum();
    if (h > lastHandled) {
      meanServiceSeconds = (hn - lastHandlerNanos) / 1e9 / (h - lastHandled);
    }
    double arrivalsPerSecond = seconds > 0 ? (e - lastEnqueued) / seconds : 0;
    workersNeeded = MetricsFormulas.workersNeeded(arrivalsPerSecond, meanServiceSeconds, fresh.ready(), targetAgeSeconds);
    lastEnqueued = e;
    lastHandled = h;
    lastHandlerNanos = hn;
    snapshot = fresh;
    snapshotAt = now;
  }

}
