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
 * changes nothing.
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
   * @return the permits left ({@code >= 0}) when granted, or minus the nanoseconds until they would be
   *     ({@code < 0})
   */
  public final long tryAcquire(int permits) {
    Gcra g = gcra;
    long now = g.now();
    long increment = permits * g.cost;
    while (true) {
      long current = tat;
      long lead = g.base(now, current) + increment - now;
      if (lead > g.burst) {
        return -g.nanosFor(lead - g.burst);
      }
      if (TAT.compareAndSet(this, current, now + lead)) {
        return (g.burst - lead) / g.cost;
      }
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
    }
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
