package dev.ballast.core;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters of one {@link Retry}, named as Resilience4j's are so dashboards carry over:
 * {@code ballast.retry.calls{kind=successful_without_retry|successful_with_retry|failed_without_retry|failed_with_retry}},
 * {@code ballast.retry.retries} and {@code ballast.retry.budget.refused}. Without a registry every
 * method does nothing.
 */
final class RetryMetrics {

  private static final RetryMetrics NONE = new RetryMetrics(null, null);

  private final Counter successWithout;
  private final Counter successWith;
  private final Counter failedWithout;
  private final Counter failedWith;
  private final Counter retries;
  private final Counter budgetRefused;

  private RetryMetrics(MeterRegistry registry, String name) {
    successWithout = registry == null ? null : calls(registry, name, "successful_without_retry");
    successWith = registry == null ? null : calls(registry, name, "successful_with_retry");
    failedWithout = registry == null ? null : calls(registry, name, "failed_without_retry");
    failedWith = registry == null ? null : calls(registry, name, "failed_with_retry");
    retries = registry == null ? null : Counter.builder("ballast.retry.retries")
        .description("Attempts after the first").tag("name", name).register(registry);
    budgetRefused = registry == null ? null : Counter.builder("ballast.retry.budget.refused")
        .description("Retries refused by the retry budget").tag("name", name).register(registry);
  }

  static RetryMetrics of(MeterRegistry registry, String name) {
    return registry == null ? NONE : new RetryMetrics(registry, name);
  }

  private static Counter calls(MeterRegistry registry, String name, String kind) {
    return Counter.builder("ballast.retry.calls")
        .description("Calls through the retry, by final outcome")
        .tag("name", name)
        .tag("kind", kind)
        .register(registry);
  }

  void finished(boolean successful, int attempts) {
    if (this == NONE) {
      return;
    }
    if (successful) {
      (attempts == 1 ? successWithout : successWith).increment();
    } else {
      (attempts == 1 ? failedWithout : failedWith).increment();
    }
  }

  void retried() {
    if (retries != null) {
      retries.increment();
    }
  }

  void budgetRefused() {
    if (budgetRefused != null) {
      budgetRefused.increment();
    }
  }
}
