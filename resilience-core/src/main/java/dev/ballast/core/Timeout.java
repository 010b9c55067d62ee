package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.DefaultNames;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.core.internal.SharedScheduler;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Bounds how long a call may take. A call that runs past the limit ends with a
 * {@link TimeoutExceededException}, even if it later succeeds.
 * <pre>{@code
 * Timeout timeout = Timeout.of(Duration.ofMillis(300));
 * Price price = timeout.call(() -> pricing.quote(sku));        // interrupts the call at 300 ms
 * CompletionStage<Price> async = timeout.callAsync(() -> pricing.quoteAsync(sku));
 * }</pre>
 * Synchronous calls run on the caller's thread, which is interrupted at the limit (unless
 * {@link Builder#interrupt(boolean) interrupt} is off), so the action must respond to interruption to be
 * cut short. Asynchronous calls complete at the limit, and the action's future is cancelled.
 */
public interface Timeout extends Policy {

  /** A timeout of {@code limit} that interrupts synchronous calls. */
  static Timeout of(Duration limit) {
    return builder().limit(limit).build();
  }

  /** Starts a builder; {@link Builder#limit} is required. */
  static Builder builder() {
    return new Builder();
  }

  /** The settings this timeout was built with. */
  TimeoutConfig config();

  /** A builder of {@link Timeout}. Not thread-safe; each option may be set once. */
  final class Builder {
    private final OptionsSet options = new OptionsSet("Timeout");
    private String name; // null: a unique default, see build()
    private Duration limit;
    private boolean interrupt = true;
    private Ticker ticker = Ticker.system();
    private ScheduledExecutorService scheduler;
    private MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * Names the timeout in metrics and messages. Default: a unique name, {@code timeout-1},
     * {@code timeout-2}, … in build order, so two unnamed timeouts never share meters.
     */
    public Builder name(String name) {
      options.claim("name");
      this.name = Check.notNull(name, "Timeout.name");
      return this;
    }

    /** How long a call may take. Required. */
    public Builder limit(Duration limit) {
      options.claim("limit");
      this.limit = limit;
      return this;
    }

    /** Whether to interrupt a synchronous call at the limit. Default true. */
    public Builder interrupt(boolean interrupt) {
      options.claim("interrupt");
      this.interrupt = interrupt;
      return this;
    }

    /** The time source that measures calls. */
    public Builder ticker(Ticker ticker) {
      options.claim("ticker");
      this.ticker = Check.notNull(ticker, "Timeout.ticker");
      return this;
    }

    /** Where the limit's timers run. Default: a shared daemon timer. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      options.claim("scheduler");
      this.scheduler = Check.notNull(scheduler, "Timeout.scheduler");
      return this;
    }

    /** Records {@code ballast.timeout.calls} in {@code registry}. Default: no metrics. */
    public Builder meterRegistry(MeterRegistry registry) {
      options.claim("meterRegistry");
      this.meterRegistry = Check.notNull(registry, "Timeout.meterRegistry");
      return this;
    }

    /**
     * Builds the timeout.
     *
     * @throws NullPointerException if no limit was set
     * @throws IllegalArgumentException if the limit is not positive
     */
    public Timeout build() {
      TimeoutConfig config =
          new TimeoutConfig(name != null ? name : DefaultNames.next("timeout"), limit, interrupt);
      return new DefaultTimeout(config, ticker, scheduler != null ? scheduler : SharedScheduler.get(),
          meterRegistry);
    }
  }
}
