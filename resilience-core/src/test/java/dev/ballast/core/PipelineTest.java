package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PipelineTest {

  /** A policy that writes down when calls enter and leave it. */
  private static Policy tracing(String name, List<String> trace) {
    return new Policy() {
      @Override
      public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
        trace.add(">" + name);
        try {
          return action.get();
        } finally {
          trace.add("<" + name);
        }
      }

      @Override
      public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
        trace.add(">" + name);
        return action.get().whenComplete((r, e) -> trace.add("<" + name));
      }
    };
  }

  @Test
  void appliesPoliciesOuterToInnerAsWritten() throws Exception {
    List<String> trace = new ArrayList<>();
    Pipeline pipeline = Pipeline.of(tracing("a", trace), tracing("b", trace), tracing("c", trace));
    pipeline.call(() -> trace.add("call"));
    assertThat(trace).containsExactly(">a", ">b", ">c", "call", "<c", "<b", "<a");

    trace.clear();
    pipeline.callAsync(() -> {
      trace.add("call");
      return CompletableFuture.completedFuture("x");
    }).toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(trace).containsExactly(">a", ">b", ">c", "call", "<c", "<b", "<a");
  }

  @Test
  void eachRetryPassesThroughTheInnerPoliciesAndTheFallbackSeesTheFinalFailure() {
    ManualTicker clock = new ManualTicker(1_000_000_000L);
    List<String> trace = new ArrayList<>();
    AtomicInteger attempts = new AtomicInteger();
    Retry retry = Retry.builder().maxAttempts(3).ticker(clock::read).sleeper(clock::sleep)
        .backoff(Backoff.fixed(Duration.ofSeconds(1))).build();
    Fallback<String> fallback = Fallback.of(failure -> "fallback after " + failure.getMessage());

    Pipeline pipeline = Pipeline.of(fallback, retry, tracing("inner", trace));
    String result = callUnchecked(pipeline, () -> {
      throw new IOException("attempt " + attempts.incrementAndGet());
    });

    assertThat(result).isEqualTo("fallback after attempt 3");
    assertThat(trace).containsExactly(">inner", "<inner", ">inner", "<inner", ">inner", "<inner");
  }

  @Test
  void aTimeoutInsideTheRetryBoundsEachAttempt() throws Exception {
    ManualTicker clock = new ManualTicker(1_000_000_000L);
    AtomicInteger attempts = new AtomicInteger();
    Timeout perAttempt = Timeout.builder().limit(Duration.ofSeconds(1)).interrupt(false).ticker(clock::read).build();
    Retry retry = Retry.builder().maxAttempts(3).ticker(clock::read).sleeper(clock::sleep)
        .backoff(Backoff.fixed(Duration.ofMillis(10))).build();

    String result = Pipeline.of(retry, perAttempt).call(() -> {
      if (attempts.incrementAndGet() < 3) {
        clock.advance(Duration.ofSeconds(2)); // too slow: this attempt times out
      }
      return "third attempt in time";
    });
    assertThat(result).isEqualTo("third attempt in time");
    assertThat(attempts).hasValue(3);
  }

  @Test
  void rejectionsByALimiterInsideABreakerDoNotOpenIt() {
    ManualTicker clock = new ManualTicker(1_000_000_000L);
    CircuitBreaker breaker = CircuitBreaker.builder().name("downstream").countWindow(10).minimumCalls(5)
        .ticker(clock::read).build();
    RateLimiter limiter = RateLimiter.builder().name("quota").capacity(2).refill(1, Duration.ofMinutes(1))
        .ticker(clock::read).build();
    Pipeline pipeline = Pipeline.of(breaker, limiter);
    int rejected = 0;
    for (int i = 0; i < 50; i++) {
      try {
        pipeline.call(() -> "ok");
      } catch (RateLimitExceededException e) {
        rejected++;
      } catch (Exception e) {
        throw new AssertionError("only the limiter may refuse, got " + e, e);
      }
    }
    assertThat(rejected).isEqualTo(48);
    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(breaker.snapshot().failedCalls()).isZero();
  }

  @Test
  void rejectsNullPolicies() {
    assertThatThrownBy(() -> Pipeline.of(Timeout.of(Duration.ofSeconds(1)), null))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("Pipeline.policies[1]");
  }

  @Test
  void anEmptyPipelineJustCalls() throws Exception {
    assertThat(Pipeline.of().call(() -> 42)).isEqualTo(42);
  }

  private static String callUnchecked(Policy policy, CheckedSupplier<String> action) {
    try {
      return policy.call(action);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
