package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.DefaultNames;
import dev.ballast.core.internal.OptionsSet;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Predicate;

/**
 * Client-side adaptive throttling, as in Google's <i>Site Reliability Engineering</i>, chapter 21
 * ("Handling Overload"): a client that sees its dependency refuse much of its traffic refuses some calls
 * itself, so the dependency does not spend its capacity rejecting them. Over a sliding window of
 * {@code requests} (calls attempted, the locally refused included) and {@code accepts} (calls the
 * dependency accepted), each new call is refused locally with probability
 * <pre>
 * p = max(0, (requests - K * accepts) / (requests + 1))
 * </pre>
 * With {@code K = 2} (the default), nothing is refused until the dependency rejects half of the calls;
 * then the calls sent settle at about {@code K} times what it accepts.
 * <pre>{@code
 * AdaptiveThrottle throttle = AdaptiveThrottle.builder().name("geocoder").build();
 * Location here = throttle.call(() -> geocoder.locate(address));
 * }</pre>
 *
 * <p>As a {@link Policy}: a call that completes counts as accepted unless it failed with what
 * {@link Builder#rejectedWhen} matches (by default a {@link TimeoutExceededException}, an
 * {@link IOException} or an exception carrying a {@link RetryAfterHint}, such as a client's 429/503) or
 * returned what {@link Builder#rejectedOnResult} matches. A {@link CallRejectedException} from a policy
 * inside the throttle (the call never reached the dependency) is not counted at all. A refused call gets a
 * {@link ThrottledException}. Throttles are thread-safe and take no lock.
 */
public interface AdaptiveThrottle extends Policy {

  /** Starts a builder; every option has a default. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Decides whether to send one call, counting it as a request. After {@code true}, report the
   * dependency's answer with {@link #onAccepted()} or {@link #onRejected()}.
   *
   * @return whether to send the call
   */
  boolean tryAcquire();

  /** The dependency accepted a call sent after {@link #tryAcquire()}. */
  void onAccepted();

  /** The dependency refused (or timed out on) a call sent after {@link #tryAcquire()}. */
  void onRejected();

  /** The probability that a call now is refused locally, in [0, 1). */
  double rejectionProbability();

  /** The throttle's name. */
  String name();

  /** The throttle's settings. */
  AdaptiveThrottleConfig config();

  /** A builder of {@link AdaptiveThrottle}. Mutable, not thread-safe; each option may be set once. */
  final class Builder {
    private final OptionsSet options = new OptionsSet("AdaptiveThrottle");
    private String name;
    private double k = 2.0;
    private Duration window = Duration.ofMinutes(2);
    private Ticker ticker = Ticker.system();
    private DoubleSupplier random = () -> ThreadLocalRandom.current().nextDouble();
    private Predicate<Throwable> rejectedWhen = e -> e instanceof TimeoutExceededException
        || e instanceof IOException || e instanceof RetryAfterHint;
    private Predicate<Object> rejectedOnResult = result -> false;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * Names the throttle; default a unique {@code throttle-1}, {@code throttle-2}, …, so two unnamed
     * ones never share meters.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = Check.notNull(name, "AdaptiveThrottle.name");
      return this;
    }

    /**
     * The multiplier K, at least 1; default 2.
     *
     * @throws IllegalStateException if already set
     */
    public Builder k(double k) {
      options.claim("k");
      this.k = k;
      return this;
    }

    /**
     * How far back requests and accepts count; default two minutes.
     *
     * @throws IllegalStateException if already set
     */
    public Builder window(Duration window) {
      options.claim("window");
      this.window = window;
      return this;
    }

    /**
     * The time source of the window; default {@link Ticker#system()}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "AdaptiveThrottle.ticker");
      return this;
    }

    /**
     * The source of uniform random numbers in [0, 1) that decide refusals; default
     * {@link ThreadLocalRandom}. Tests hand in a fixed sequence.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder random(DoubleSupplier random) {
      options.claim("random");
      this.random = Check.notNull(random, "AdaptiveThrottle.random");
      return this;
    }

    /**
     * Which failures mean the dependency refused the call; see the class comment for the default.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder rejectedWhen(Predicate<Throwable> rejectedWhen) {
      options.claim("rejectedWhen");
      this.rejectedWhen = Check.notNull(rejectedWhen, "AdaptiveThrottle.rejectedWhen");
      return this;
    }

    /**
     * Which results mean the dependency refused the call (an HTTP 429 or 503); default none.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder rejectedOnResult(Predicate<Object> rejectedOnResult) {
      options.claim("rejectedOnResult");
      this.rejectedOnResult = Check.notNull(rejectedOnResult, "AdaptiveThrottle.rejectedOnResult");
      return this;
    }

    /**
     * Publishes {@code ballast.throttle.calls} (tags {@code name}, {@code result}, {@code reason}:
     * {@code throttled}) and gauge {@code ballast.throttle.probability}.
     *
     * @throws IllegalStateException if already set
     * @throws NullPointerException if null
     */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "AdaptiveThrottle.meterRegistry");
      return this;
    }

    /**
     * Builds the throttle.
     *
     * @throws IllegalArgumentException naming the first invalid setting
     */
    public AdaptiveThrottle build() {
      String named = name != null ? name : DefaultNames.next("throttle");
      return new SreAdaptiveThrottle(new AdaptiveThrottleConfig(named, k, window), ticker, random,
          rejectedWhen, rejectedOnResult, meterRegistry);
    }
  }
}
