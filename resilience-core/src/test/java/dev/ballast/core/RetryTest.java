package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

  private final ManualTicker clock = new ManualTicker(1_000_000_000L);

  private Retry.Builder retry() {
    return Retry.builder().ticker(clock::read).sleeper(clock::sleep)
        .backoff(Backoff.exponential(Duration.ofSeconds(1), Duration.ofSeconds(16)));
  }

  @Test
  void succeedsAfterFailuresWaitingTheBackoffDelays() throws Exception {
    List<Long> attemptTimes = new ArrayList<>();
    AtomicInteger calls = new AtomicInteger();
    String result = retry().maxAttempts(5).build().call(() -> {
      attemptTimes.add(clock.read());
      if (calls.incrementAndGet() < 4) {
        throw new IOException("flaky");
      }
      return "ok";
    });

    assertThat(result).isEqualTo("ok");
    long first = attemptTimes.get(0);
    assertThat(attemptTimes).extracting(t -> (t - first) / 1_000_000_000L).containsExactly(0L, 1L, 3L, 7L);
  }

  @Test
  void rethrowsTheLastFailureInstanceWhenAttemptsRunOut() {
    AtomicInteger calls = new AtomicInteger();
    List<IOException> thrown = new ArrayList<>();
    Retry retry = retry().maxAttempts(3).build();

    assertThatThrownBy(() -> retry.call(() -> {
      IOException e = new IOException("attempt " + calls.incrementAndGet());
      thrown.add(e);
      throw e;
    })).isSameAs(thrown.get(2));
    assertThat(calls).hasValue(3);
  }

  @Test
  void doesNotRetryWhatRetryOnRejects() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry().retryOn(e -> e instanceof IOException).build();
    assertThatThrownBy(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw new IllegalStateException("bug");
    })).isInstanceOf(IllegalStateException.class);
    assertThat(calls).hasValue(1);
    assertThat(clock.sleptNanos()).isZero();
  }

  @Test
  void retriesResultsAndReturnsTheLastWhenExhausted() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Integer result = retry().maxAttempts(3).retryOnResult(r -> (Integer) r < 10).build()
        .call(calls::incrementAndGet);
    assertThat(result).isEqualTo(3);
  }

  @Test
  void honoursTheServersRetryAfterHintInsteadOfTheBackoff() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    String result = retry().maxAttempts(2).build().call(() -> {
      if (calls.incrementAndGet() == 1) {
        throw new TooManyRequests(Duration.ofSeconds(7));
      }
      return "ok";
    });
    assertThat(result).isEqualTo("ok");
    assertThat(clock.sleptNanos()).isEqualTo(Duration.ofSeconds(7).toNanos());
  }

  @Test
  void aHintLongerThanTheLongestBackoffEndsTheRetriesWithoutWaiting() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry().maxAttempts(5).build(); // backoff max 16 s
    assertThatThrownBy(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw new TooManyRequests(Duration.ofSeconds(17));
    })).isInstanceOf(TooManyRequests.class);
    assertThat(calls).hasValue(1);
    assertThat(clock.sleptNanos()).isZero();
  }

  @Test
  void givesUpWhenTheNextAttemptWouldStartAfterTheDeadline() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry().maxAttempts(10).maxDuration(Duration.ofSeconds(5)).build();
    assertThatThrownBy(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw new IOException("down");
    })).isInstanceOf(IOException.class);
    // Attempts at 0 s, 1 s, 3 s; the next would start at 7 s, past the 5 s deadline.
    assertThat(calls).hasValue(3);
    assertThat(clock.sleptNanos()).isEqualTo(Duration.ofSeconds(3).toNanos());
  }

  @Test
  void aHintBeyondTheDeadlineEndsTheRetries() {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = retry().maxAttempts(5).maxDuration(Duration.ofSeconds(10)).build();
    assertThatThrownBy(() -> retry.call(() -> {
      calls.incrementAndGet();
      throw new TooManyRequests(Duration.ofMinutes(1));
    })).isInstanceOf(TooManyRequests.class);
    assertThat(calls).hasValue(1);
  }

  @Test
  void theBudgetStopsARetryStorm() {
    RetryBudget budget = RetryBudget.of(0.1, 0, Duration.ofSeconds(10)).withTicker(clock::read);
    Retry retry = Retry.builder().ticker(clock::read).sleeper(clock::sleep).maxAttempts(3).budget(budget)
        .backoff(Backoff.fixed(Duration.ofMillis(1))).build();
    AtomicInteger attempts = new AtomicInteger();
    for (int call = 0; call < 100; call++) {
      assertThatThrownBy(() -> retry.call(() -> {
        attempts.incrementAndGet();
        throw new IOException("outage");
      })).isInstanceOf(IOException.class);
    }
    // 100 first attempts earn 10 retries in all: the outage sees at most 110 % of the normal load.
    assertThat(attempts.get()).isBetween(100, 110);
    assertThat(budget.isExhausted()).isTrue();
  }

  @Test
  void asyncRetriesOnTheSchedulerAndCompletes() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.builder().maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1))).build();
    CompletableFuture<String> result = retry.<String>callAsync(() -> calls.incrementAndGet() < 3
        ? CompletableFuture.failedFuture(new IOException("flaky"))
        : CompletableFuture.completedFuture("ok")).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
    assertThat(calls).hasValue(3);
  }

  @Test
  void asyncExhaustionCompletesWithTheUnwrappedFailure() {
    IOException failure = new IOException("down");
    Retry retry = Retry.builder().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(1))).build();
    CompletableFuture<Object> result = retry.callAsync(() -> CompletableFuture.supplyAsync(() -> {
      throw new java.io.UncheckedIOException(failure);
    })).toCompletableFuture();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).cause().isInstanceOf(java.io.UncheckedIOException.class);
  }

  @Test
  void asyncActionThatThrowsIsRetriedAndNeverThrowsToTheCaller() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Retry retry = Retry.builder().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(1))).build();
    CompletableFuture<String> result = retry.<String>callAsync(() -> {
      if (calls.incrementAndGet() == 1) {
        throw new IllegalStateException("thrown, not returned");
      }
      return CompletableFuture.completedFuture("ok");
    }).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("ok");
  }

  @Test
  void countsOutcomesInMicrometer() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Retry retry = retry().name("payments").meterRegistry(registry).build();
    retry.call(() -> "first time");
    AtomicInteger calls = new AtomicInteger();
    retry.call(() -> {
      if (calls.incrementAndGet() == 1) {
        throw new IOException();
      }
      return "second time";
    });
    assertThat(registry.get("ballast.retry.calls").tag("name", "payments")
        .tag("kind", "successful_without_retry").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("ballast.retry.calls").tag("kind", "successful_with_retry").counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("ballast.retry.retries").counter().count()).isEqualTo(1.0);
  }

  @Test
  void badInputNamesTheFieldAndOptionsCannotBeSetTwice() {
    assertThatThrownBy(() -> Retry.builder().maxAttempts(0).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Retry.maxAttempts");
    assertThatThrownBy(() -> Retry.builder().maxDuration(Duration.ofSeconds(-1)).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Retry.maxDuration");
    assertThatThrownBy(() -> Retry.builder().name(" ").build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Retry.name");
    assertThatThrownBy(() -> Retry.builder().maxAttempts(2).maxAttempts(3))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Retry.maxAttempts");
  }

  @Test
  void toBuilderKeepsTheConfigAndAllowsOneOverride() {
    Retry original = Retry.builder().name("a").maxAttempts(5).build();
    Retry changed = original.config().toBuilder().maxAttempts(2).build();
    assertThat(changed.config().name()).isEqualTo("a");
    assertThat(changed.config().maxAttempts()).isEqualTo(2);
    assertThat(original.config().maxAttempts()).isEqualTo(5);
  }

  static final class TooManyRequests extends Exception implements RetryAfterHint {
    private static final long serialVersionUID = 1L;
    private final transient Duration retryAfter;

    TooManyRequests(Duration retryAfter) {
      super("429");
      this.retryAfter = retryAfter;
    }

    @Override
    public Duration retryAfter() {
      return retryAfter;
    }
  }
}
