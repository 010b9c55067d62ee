package dev.ballast.examples;

import dev.ballast.core.Backoff;
import dev.ballast.core.CallRejectedException;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Fallback;
import dev.ballast.core.Jitter;
import dev.ballast.core.Pipeline;
import dev.ballast.core.Policy;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Retry;
import dev.ballast.core.RetryBudget;
import dev.ballast.core.Timeout;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The demo of the resilience policies: checkout calls to a payment provider that turns flaky and then
 * goes down, first straight, then through a Ballast pipeline. Prints a table per phase.
 * (The full storefront demo, with the two-level cache, the switchboard and the job queue on Redis,
 * replaces this as those modules land.)
 */
public final class Demo {

  private static final Duration PHASE = Duration.ofSeconds(Integer.getInteger("demo.phaseSeconds", 2));
  private static final int CLIENTS = 64;

  private record Phase(String name, int requestsPerSecond, double failureRatio, Duration extraLatency) {}

  private static final List<Phase> PHASES = List.of(
      new Phase("normal, 150/s", 150, 0.0, Duration.ZERO),
      new Phase("spike, 400/s (quota 200/s)", 400, 0.0, Duration.ZERO),
      new Phase("flaky: 30 % errors, +150 ms", 150, 0.3, Duration.ofMillis(150)),
      new Phase("outage: 100 % errors", 150, 1.0, Duration.ZERO));

  private Demo() {}

  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    out.println("Ballast demo: checkout against a payment provider (quota 200/s, 20 ms per call), "
        + CLIENTS + " paced clients, " + PHASE.toSeconds() + " s per phase\n");
    for (boolean withBallast : new boolean[] {false, true}) {
      PaymentProvider provider = new PaymentProvider();
      Checkout checkout = withBallast ? protectedCheckout(provider) : provider::charge;
      out.println(withBallast ? "With Ballast (fallback > retry+budget > breaker > limiter > timeout):" : "Without Ballast:");
      out.println(PhaseReport.header());
      for (Phase phase : PHASES) {
        provider.conditions(phase.failureRatio(), phase.extraLatency());
        PhaseReport report = new LoadDriver(CLIENTS, phase.requestsPerSecond(), PHASE).run(checkout);
        out.println(report.row(phase.name(), provider.callsAndReset()));
      }
      out.println();
    }
    out.println(String.format(Locale.ROOT, "Read: with Ballast the outage costs the provider a trickle of probe calls "
        + "instead of a retry storm,%nand callers get a fast answer (a receipt, or 'payment queued' from the fallback) instead of an error."));
  }

  /** What a client calls. */
  @FunctionalInterface
  interface Checkout {
    String pay(int order) throws Exception;
  }

  private static Checkout protectedCheckout(PaymentProvider provider) {
    Policy policy = Pipeline.of(
        Fallback.of(failure -> "payment queued (" + (failure instanceof CallRejectedException ? "shed" : "failed") + ")"),
        Retry.builder().name("payments").maxAttempts(3)
            .backoff(Backoff.exponential(Duration.ofMillis(50), Duration.ofMillis(400)).withJitter(Jitter.FULL))
            .budget(RetryBudget.of(0.2, 5, Duration.ofSeconds(10)))
            .retryOn(failure -> !(failure instanceof CallRejectedException))
            .build(),
        CircuitBreaker.builder().name("payments").countWindow(50).minimumCalls(20)
            .failureRateThreshold(0.5).openDuration(Duration.ofSeconds(1)).build(),
        RateLimiter.builder().name("payments").capacity(20).refill(190, Duration.ofSeconds(1))
            .maxWait(Duration.ofMillis(100)).build(),
        Timeout.of(Duration.ofMillis(300)));
    return order -> policy.call(() -> provider.charge(order));
  }
}
