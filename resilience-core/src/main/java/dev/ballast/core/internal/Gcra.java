package dev.ballast.core.internal;

import dev.ballast.core.Ticker;
import java.math.BigInteger;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The exact integer arithmetic of a token bucket run as GCRA (generic cell rate algorithm), shared by
 * every {@link GcraBucket} of one limiter. Immutable.
 *
 * <p><b>Scaled time.</b> The rate is {@code refillPermits} per {@code refillPeriodNanos}. With
 * {@code g = gcd(refillPermits, refillPeriodNanos)}, time is counted in units of {@code 1/scale} ns where
 * {@code scale = refillPermits / g}, and one permit costs {@code cost = refillPeriodNanos / g} units. Both
 * are integers, so {@code elapsedNanos × scale} units refill exactly {@code elapsedNanos × scale / cost}
 * permits: no rounding, no drift, however long the limiter runs.
 *
 * <p><b>Clamped rates.</b> When {@code refillPermits / g} exceeds {@link #MAX_SCALE} (a rate whose reduced
 * fraction has a large prime factor, such as 7919 per second), the scale is clamped to
 * {@code MAX_SCALE} and the cost rounded up, so the limiter never grants more than the configured rate.
 * It then grants fewer by a relative amount below {@code 1 / exactCost}, that is below
 * {@code refillPermits / (1024 × refillPeriodNanos)}: less than 1 ppm for any rate up to 1.024 million
 * permits per second (7919 per second: 7.7 parts per 10^9).
 *
 * <p><b>One arithmetic.</b> This class is the only Java copy of the rule: the local and keyed limiters run
 * it through {@link GcraBucket}, and the fleet-wide limiter hands {@link #scale()}, {@link #cost()} and
 * {@link #burst()} to its Lua twin ({@code dev/ballast/redis/ratelimit/gcra.lua}), which counts in the same
 * scaled nanoseconds; a property test runs both on random sequences and checks they agree.
 *
 * <p><b>Wrapping.</b> Scaled readings wrap around like {@link System#nanoTime()} and only differences are
 * compared. In normal use the theoretical arrival time ({@code tat}) lies at most {@link #maxLead()} units
 * ahead of a reading (the burst, plus the reservation horizon, plus a stale-read allowance); a lead larger
 * than that can only come from a bucket left untouched for more than {@code 2^63 / scale} ns (292 years at
 * scale 1, 104 days at scale 1024), and is read as "full". The residual blind spot: a bucket untouched for
 * almost exactly a multiple of {@code 2^64 / scale} ns (at scale 1024, 208 days) may read as drained for
 * at most one refill time plus 11 minutes.
 */
public final class Gcra {

  /** The largest number of scaled time units per nanosecond. */
  public static final long MAX_SCALE = 1024;

  /**
   * How far ahead a blocking or delayed acquisition may reserve permits (and so queue fairly behind
   * earlier callers). A longer wait is first spent outside the queue.
   */
  public static final long RESERVATION_HORIZON_NANOS = TimeUnit.MINUTES.toNanos(1);

  /**
   * How long a thread may stall between reading the ticker and its compare-and-set without being
   * mistaken for a clock that wrapped after a long idle period.
   */
  static final long STALE_READ_ALLOWANCE_NANOS = TimeUnit.MINUTES.toNanos(10);

  /** The largest burst in scaled units; keeps every sum of leads far from overflowing. */
  public static final long MAX_BURST = 1L << 61;

  final Ticker ticker;
  final long origin;
  final long scale;
  final long cost;
  final long capacity;
  final long burst;
  final long maxLead;
  private final boolean exact;

  /**
   * @param ticker read once now (as the origin of scaled time) and once per operation afterwards
   * @throws IllegalArgumentException if the arguments fail {@link #check}
   */
  public Gcra(long capacity, long refillPermits, long refillPeriodNanos, Ticker ticker) {
    check(capacity, refillPermits, refillPeriodNanos);
    long[] scaleAndCost = scaleAndCost(refillPermits, refillPeriodNanos);
    this.scale = scaleAndCost[0];
    this.cost = scaleAndCost[1];
    this.exact = refillPermits / gcd(refillPermits, refillPeriodNanos) <= MAX_SCALE;
    this.capacity = capacity;
    this.burst = capacity * cost;
    this.maxLead = burst + (RESERVATION_HORIZON_NANOS + STALE_READ_ALLOWANCE_NANOS) * scale;
    this.ticker = Check.notNull(ticker, "ticker");
    this.origin = ticker.read();
  }

  /**
   * Checks that a bucket of {@code capacity} refilled at this rate fits the arithmetic: the burst in
   * scaled units must stay below {@link #MAX_BURST}, which allows a refill time of about 73 years at
   * scale 1 and 26 days at scale 1024.
   *
   * @throws IllegalArgumentException naming {@code RateLimiter.capacity} or
   *     {@code RateLimiter.refillPeriod} when it does not
   */
  public static void check(long capacity, long refillPermits, long refillPeriodNanos) {
    Check.atLeast(capacity, 1, "RateLimiter.capacity");
    Check.atLeast(refillPermits, 1, "RateLimiter.refillPermits");
    Check.atLeast(refillPeriodNanos, 1, "RateLimiter.refillPeriod (nanoseconds)");
    long cost = scaleAndCost(refillPermits, refillPeriodNanos)[1];
    if (cost > MAX_BURST) {
      throw new IllegalArgumentException("RateLimiter.refillPeriod is too long for "
          + refillPermits + " permits: one permit may take at most " + Duration.ofNanos(MAX_BURST) + ", was "
          + Duration.ofNanos(refillPeriodNanos));
    }
    long maxCapacity = MAX_BURST / cost;
    if (capacity > maxCapacity) {
      throw new IllegalArgumentException("RateLimiter.capacity must be at most " + maxCapacity
          + " at a refill of " + refillPermits + " per " + Duration.ofNanos(refillPeriodNanos)
          + " (a drained bucket must refill within the arithmetic's range), was " + capacity);
    }
  }

  /**
   * The exception for a permit count a bucket of {@code capacity} can never grant (below 1 or above the
   * capacity), naming the limiter; every limiter of the family throws it.
   */
  public static IllegalArgumentException permitsOutOfRange(int permits, long capacity, String limiterName) {
    return new IllegalArgumentException(permits < 1
        ? "permits must be at least 1, was " + permits
        : "permits must be at most the capacity " + capacity + " of rate limiter '" + limiterName + "', was "
            + permits);
  }

  /** {scale, cost} for the rate, exact when possible and otherwise clamped with the cost rounded up. */
  private static long[] scaleAndCost(long refillPermits, long refillPeriodNanos) {
    long g = gcd(refillPermits, refillPeriodNanos);
    long scale = refillPermits / g;
    if (scale <= MAX_SCALE) {
      return new long[] {scale, refillPeriodNanos / g};
    }
    // cost = ceil(period × MAX_SCALE / permits); the product can exceed a long, hence BigInteger.
    BigInteger[] qr = BigInteger.valueOf(refillPeriodNanos).multiply(BigInteger.valueOf(MAX_SCALE))
        .divideAndRemainder(BigInteger.valueOf(refillPermits));
    long cost = qr[0].longValueExact() + (qr[1].signum() == 0 ? 0 : 1);
    return new long[] {MAX_SCALE, cost};
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** The current reading in scaled units since this instance was built; wraps, compare differences. */
  long now() {
    return (ticker.read() - origin) * scale;
  }

  /**
   * Where the next grant starts from: {@code tat} when the bucket is not full, else {@code now}. A lead
   * beyond {@link #maxLead} cannot happen in use and means the clock wrapped after a long idle: full.
   */
  long base(long now, long tat) {
    long lead = tat - now;
    return lead > 0 && lead <= maxLead ? tat : now;
  }

  /** Nanoseconds needed to cover {@code scaledExcess > 0} units, rounded up (so at least 1). */
  long nanosFor(long scaledExcess) {
    return scale == 1 ? scaledExcess : (scaledExcess - 1) / scale + 1;
  }

  /** Scaled time units per nanosecond (1 to {@link #MAX_SCALE}); the Lua twin counts in the same units. */
  public long scale() {
    return scale;
  }

  /** Scaled time units one permit costs. */
  public long cost() {
    return cost;
  }

  /** Scaled time units of a full bucket: {@code capacity × cost}. */
  public long burst() {
    return burst;
  }

  /** The burst capacity in permits. */
  public long capacity() {
    return capacity;
  }

  /** Nanoseconds a drained bucket takes to refill completely (rounded up). */
  public long refillNanos() {
    return nanosFor(burst);
  }

  /** Whether the configured rate is represented exactly (see the class note on clamped rates). */
  public boolean exact() {
    return exact;
  }

  /** The largest lead of {@code tat} over a reading that normal use can produce (see the class note). */
  long maxLead() {
    return maxLead;
  }

  @Override
  public String toString() {
    return "Gcra[capacity=" + capacity + ", scale=" + scale + ", cost=" + cost + ", exact=" + exact + "]";
  }
}
