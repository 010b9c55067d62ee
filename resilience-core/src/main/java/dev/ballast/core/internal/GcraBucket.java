package dev.ballast.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One token bucket, kept as a GCRA theoretical arrival time.
 *
 * <p>Design: the only mutable state is one {@code long}, {@code tat}, in scaled time units (see
 * {@link Gcra}): the instant at which the bucket would be full again. Every operation reads the ticker
 * once, computes a new {@code tat} from the one it read and publishes it with one compare-and-set; a
 * failed CAS retries with the same reading, which can only make the answer more conservative. No locks,
 * no allocation. Readers may assume that each grant is linearized at its successful CAS, that the permits
 * granted over any interval never exceed {@code capacity + rate × interval}, and that a refused call
 * changes nothing. A failed CAS steps aside for 3-6 µs (randomized) before it retries (issue 17).
 *
 * <p>Permit counts are validated by the caller ({@code 1 <= permits <= capacity}).
 */
public class GcraBucket {

  private static final VarHandle TAT;

  static {
    try {
      TAT = MethodHandles.lookup().findVarHandle(GcraBucket.class, "tat", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The longest step aside after a failed CAS, before jitter; doubled per further failure (see backOff). */
  private static final long BACK_OFF_NANOS = 6_000;

  /** At most this many doublings of {@link #BACK_OFF_NANOS}: 24 µs. */
  private static final int MAX_BACK_OFF_SHIFT = 2;

  private final Gcra gcra;
  private volatile long tat;

  /** A bucket holding {@code initialPermits} (at most the capacity) now. */
  public GcraBucket(Gcra gcra, long initialPermits) {
    this.gcra = gcra;
    this.tat = gcra.now() + (gcra.capacity - initialPermits) * gcra.cost;
  }

  /**
   * A bucket padded against false sharing, for a limiter that many threads hit; per-key buckets are not
   * padded, to keep them small.
   */
  public static GcraBucket padded(Gcra gcra, long initialPermits) {
    return new Padded(gcra, initialPermits);
  }

  /**
   * Takes {@code permits} if they are available now.
   *
   * @return 0 when granted, else the nanoseconds until they would be ({@code > 0}); a refusal takes nothing
   */
  public final long tryAcquireOrNanosToWait(int permits) {
    Gcra g = gcra;
    long now = g.now();
    long increment = permits * g.cost;
    int failures = 0;
    while (true) {
      long current = tat;
      long lead = g.base(now, current) + increment - now;
      if (lead > g.burst) {
        return g.nanosFor(lead - g.burst);
      }
      if (TAT.compareAndSet(this, current, now + lead)) {
        return 0;
      }
      failures = backOff(failures, now);
    }
  }

  /**
   * Takes {@code permits} now or reserves them for later, when they will be available within
   * {@code min(maxWaitNanos, Gcra.RESERVATION_HORIZON_NANOS)}. Reservations queue in arrival order: a later
   * caller waits behind an earlier one.
   *
   * @return the nanoseconds until the taken or reserved permits may be used ({@code >= 0}, 0 meaning
   *     now), or, when nothing was taken, minus the nanoseconds until they would be available ({@code < 0})
   */
  public final long reserve(int permits, long maxWaitNanos) {
    Gcra g = gcra;
    // Clamped at 0: a caller whose wait budget went negative (it overslept) must not read -0 as a grant.
    long limit = Math.max(0, Math.min(maxWaitNanos, Gcra.RESERVATION_HORIZON_NANOS));
    long now = g.now();
    long increment = permits * g.cost;
    int failures = 0;
    while (true) {
      long current = tat;
      long lead = g.base(now, current) + increment - now;
      long wait = lead > g.burst ? g.nanosFor(lead - g.burst) : 0;
      if (wait > limit) {
        return -wait;
      }
      if (TAT.compareAndSet(this, current, now + lead)) {
        return wait;
      }
      failures = backOff(failures, now);
    }
  }

  /**
   * Steps aside after a failed compare-and-set, so that the thread that won runs alone for a while
   * instead of both threads taking the cache line in turn on every grant. Measured on 2 cores (issue 17),
   * 2 threads on one bucket, ns per grant and thread, JMH fork means:
   * <ul>
   *   <li>a spin of a few hundred nanoseconds: every grant moved the line between cores (15 ops/µs in
   *       all, below a single thread's 26);
   *   <li>0.25-0.5 µs: 100-117 (six forks);
   *   <li>1-2 µs, doubling to 8: 68-116, bimodal (fourteen forks), p99.9 2.6 µs;
   *   <li><b>3-6 µs, doubling to 24 (this):</b> 59-79 (twelve forks), p99.9 6.1 µs, p99.99 48 µs;
   *   <li>8-16 µs at once: p99.9 15 µs, over the 10 µs the issue allows.
   * </ul>
   * The first step aside is what the p99.9 pays, so it stays well under 10 µs. Resilience4j parks instead
   * (89-95 ns, p99.99 1.5 ms): a park frees the core but lasts at least the timer slack, tens of
   * microseconds.
   *
   * <p>The wait is on {@link System#nanoTime}, not the bucket's ticker (a manual ticker in a test must not
   * make it endless), randomized between half and all of {@link #BACK_OFF_NANOS} (from the low bits of the
   * reading, so no random-number state is shared) and doubled for each further failure up to
   * {@link #MAX_BACK_OFF_SHIFT}: at most 24 µs, never a park.
   *
   * @return the failures so far, for the next call
   */
  private static int backOff(int failures, long now) {
    long jitter = (now ^ (now >>> 17) ^ Thread.currentThread().getId()) & 1023;
    long nanos = ((BACK_OFF_NANOS << Math.min(failures, MAX_BACK_OFF_SHIFT)) * (1024 + jitter)) >>> 11;
    long start = System.nanoTime();
    while (System.nanoTime() - start < nanos) {
      Thread.onSpinWait();
    }
    return failures + 1;
  }

  /** The permits available now, between 0 and the capacity. */
  public final long available() {
    Gcra g = gcra;
    long now = g.now();
    long lead = g.base(now, tat) - now;
    return lead >= g.burst ? 0 : (g.burst - lead) / g.cost;
  }

  /** Right-hand padding: keeps objects allocated after the bucket off its cache line. */
  @SuppressWarnings("unused")
  private static final class Padded extends GcraBucket {
    private long p1, p2, p3, p4, p5, p6, p7, p8;

    Padded(Gcra gcra, long initialPermits) {
      super(gcra, initialPermits);
    }
  }
}
