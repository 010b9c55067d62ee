package dev.ballast.core;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.DefaultNames;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.core.internal.SharedScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Runs a call again when it fails in a way worth retrying, waiting a {@link Backoff} delay (or the
 * server's {@link RetryAfterHint}) between attempts, within a number of attempts, an optional deadline
 * and an optional {@link RetryBudget}.
 * <pre>{@code
 * Retry retry = Retry.builder()
 *     .name("payments")
 *     .maxAttempts(3)
 *     .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16)).withJitter(Jitter.FULL))
 *     .retryOn(e -> e instanceof IOException)
 *     .build();
 * Receipt receipt = retry.call(() -> provider.charge(order));
 * }</pre>
 * When attempts, deadline or budget run out, the last failure is rethrown as it was (the same instance),
 * or the last result returned; a failure that is not retryable is rethrown at once.
 *
 * <p>Built retries are immutable and thread-safe.
 */
public interface Retry extends Policy {

  /** Starts a builder with the defaults: 3 attempts, 1 s doubling to 16 s with full jitter, no deadline. */
  static Builder builder() {
    return new Builder();
  }

  /** The settings this retry was built with. */
  RetryConfig config();

  /** A builder of {@link Retry}. Not thread-safe; each option may be set once. */
  final class Builder {
    private final OptionsSet options = new OptionsSet("Retry");
    private String name; // null: a unique default, see build()
    private int maxAttempts = 3;
    private Duration maxDuration;
    private Backoff backoff =
        Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16)).withJitter(Jitter.FULL);
    private Predicate<? super Throwable> retryOn = error -> true;
    private Predicate<Object> retryOnResult;
    private Function<? super Throwable, Duration> retryAfter = RetryConfig::hintOf;
    private RetryBudget budget;
    private Ticker ticker = Ticker.system();
    private Sleeper sleeper = Sleeper.system();
    private ScheduledExecutorService scheduler;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /** A builder holding {@code config}, each of whose options may be overridden once. */
    static Builder from(RetryConfig config) {
      Builder builder = new Builder();
      builder.name = config.name();
      builder.maxAttempts = config.maxAttempts();
      builder.maxDuration = config.maxDuration();
      builder.backoff = config.backoff();
      builder.retryOn = config.retryOn();
      builder.retryOnResult = config.retryOnResult();
      builder.retryAfter = config.retryAfter();
      builder.budget = config.budget();
      return builder;
    }

    /**
     * Names the retry in metrics and logs. Default: a unique name, {@code retry-1}, {@code retry-2}, … in
     * build order, so two unnamed retries never share meters.
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = Check.notNull(name, "Retry.name");
      return this;
    }

    /** Attempts in all, the first included; 1 disables retrying. Default 3. */
    public Builder maxAttempts(int maxAttempts) {
      options.claim("maxAttempts");
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** No retry starts later than this after the first attempt began. Default: no deadline. */
    public Builder maxDuration(Duration maxDuration) {
      options.claim("maxDuration");
      this.maxDuration = Check.notNull(maxDuration, "Retry.maxDuration");
      return this;
    }

    /** The delays between attempts. */
    public Builder backoff(Backoff backoff) {
      options.claim("backoff");
      this.backoff = backoff;
      return this;
    }

    /** Which exceptions to retry. Default: all. */
    public Builder retryOn(Predicate<? super Throwable> retryOn) {
      options.claim("retryOn");
      this.retryOn = retryOn;
      return this;
    }

    /** Which results to retry, for APIs that report failure in their result. Default: none. */
    public Builder retryOnResult(Predicate<Object> retryOnResult) {
      options.claim("retryOnResult");
      this.retryOnResult = Check.notNull(retryOnResult, "Retry.retryOnResult");
      return this;
    }

    /**
     * Extracts a server's retry-after hint from an exception (null when it has none). Default: the
     * exception's {@link RetryAfterHint}.
     */
    public Builder retryAfter(Function<? super Throwable, @Nullable Duration> retryAfter) {
      options.claim("retryAfter");
      this.retryAfter = retryAfter;
      return this;
    }

    /** Caps retries at a share of recent calls. */
    public Builder budget(RetryBudget budget) {
      options.claim("budget");
      this.budget = Check.notNull(budget, "Retry.budget");
      return this;
    }

    /** The time source for the deadline. */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "Retry.ticker");
      return this;
    }

    /** How synchronous calls wait between attempts. */
    public Builder sleeper(Sleeper sleeper) {
      options.claim("sleeper");
      this.sleeper = Check.notNull(sleeper, "Retry.sleeper");
      return this;
    }

    /** Where asynchronous calls schedule their next attempt. Default: a shared daemon timer. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      options.claim("scheduler");
      this.scheduler = Check.notNull(scheduler, "Retry.scheduler");
      return this;
    }

    /** Records {@code ballast.retry.*} meters in {@code registry}. Default: no metrics. */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "Retry.meterRegistry");
      return this;
    }

    /**
     * Builds the retry.
     *
     * @throws IllegalArgumentException if an option is out of range (the message names it)
     */
    public Retry build() {
      RetryConfig config = new RetryConfig(
          name != null ? name : DefaultNames.next("retry"),
          maxAttempts, maxDuration, backoff, retryOn, retryOnResult, retryAfter, budget);
      return new DefaultRetry(config, ticker, sleeper,
          scheduler != null ? scheduler : SharedScheduler.get(),
          RetryMetrics.of(meterRegistry, config.name()));
    }
  }
}
