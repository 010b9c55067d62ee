package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.testsupport.ManualTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The limiter as a {@link Policy}: one permit per call, bounded waiting, refusal as an exception. */
class RateLimiterPolicyTest {

  private static final long MS = 1_000_000;

  private final ManualTicker now = new ManualTicker();
  private final List<Long> sleeps = new ArrayList<>();
  private final AtomicInteger invocations = new AtomicInteger();
  private final RecordingScheduler scheduler = new RecordingScheduler();

  /** Runs every task at once, recording the delay it was scheduled with. */
  static final class RecordingScheduler extends ScheduledThreadPoolExecutor {
    final List<Long> delays = new ArrayList<>();

    RecordingScheduler() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      delays.add(unit.toNanos(delay));
      command.run();
      return super.schedule(() -> { }, 0, TimeUnit.NANOSECONDS);
    }
  }

  @AfterEach
  void stopScheduler() {
    scheduler.shutdownNow();
  }

  private RateLimiter limiter(Duration maxWait, Sleeper sleeper) {
    return RateLimiter.builder()
        .name("payments").capacity(1).refill(10, Duration.ofSeconds(1)).maxWait(maxWait)
        .ticker(now::read).sleeper(sleeper).scheduler(scheduler).build();
  }

  private String action() {
    invocations.incrementAndGet();
    return "done";
  }

  @Test
  void aGrantedCallRunsTheAction() throws Exception {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    assertThat(limiter.call(this::action)).isEqualTo("done");
    assertThat(invocations).hasValue(1);
  }

  @Test
  void aRefusedCallThrowsWithTheWaitAndNeverRunsTheAction() throws Exception {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    limiter.call(this::action);
    assertThatThrownBy(() -> limiter.call(this::action))
        .isInstanceOfSatisfying(RateLimitExceededException.class, e -> {
          assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(100));
          assertThat(e.nanosToWait()).isEqualTo(100 * MS);
          assertThat(e.policyName()).isEqualTo("payments");
          assertThat(e).isInstanceOf(CallRejectedException.class).isInstanceOf(RetryAfterHint.class);
          assertThat(e.getMessage()).contains("'payments'").contains("100 ms");
        });
    assertThat(invocations).hasValue(1);
    assertThat(sleeps).isEmpty();
  }

  @Test
  void runTakesAPermitToo() throws Exception {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    limiter.run(invocations::incrementAndGet);
    assertThatThrownBy(() -> limiter.run(invocations::incrementAndGet)).isInstanceOf(RateLimitExceededException.class);
    assertThat(invocations).hasValue(1);
  }

  @Test
  void maxWaitIsHonoured() throws Exception {
    RateLimiter limiter = limiter(Duration.ofMillis(150), sleeps::add); // time stands still
    limiter.call(this::action);
    assertThat(limiter.call(this::action)).isEqualTo("done"); // reserved, waits 100 ms
    assertThat(sleeps).containsExactly(100 * MS);
    assertThatThrownBy(() -> limiter.call(this::action)) // would wait 200 ms
        .isInstanceOfSatisfying(RateLimitExceededException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(200)));
    assertThat(invocations).hasValue(2);
  }

  @Test
  void theActionsFailurePassesThroughUnchanged() {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    assertThatThrownBy(() -> limiter.call(() -> {
      throw new IOException("boom");
    })).isInstanceOf(IOException.class).hasMessage("boom");
  }

  @Test
  void callAsyncRunsAGrantedActionAtOnce() throws Exception {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    CompletionStage<String> stage = limiter.callAsync(() -> CompletableFuture.completedFuture(action()));
    assertThat(stage.toCompletableFuture().get()).isEqualTo("done");
    assertThat(scheduler.delays).isEmpty();
  }

  @Test
  void callAsyncCompletesExceptionallyWhenRefused() {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    limiter.tryAcquire();
    CompletableFuture<String> refused =
        limiter.callAsync(() -> CompletableFuture.completedFuture(action())).toCompletableFuture();
    assertThat(refused).isCompletedExceptionally();
    assertThatThrownBy(refused::get).isInstanceOf(ExecutionException.class)
        .cause().isInstanceOfSatisfying(RateLimitExceededException.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofMillis(100)));
    assertThat(invocations).hasValue(0);
  }

  @Test
  void callAsyncWaitsOnTheSchedulerInsteadOfBlocking() throws Exception {
    RateLimiter limiter = limiter(Duration.ofSeconds(1), nanos -> {
      throw new AssertionError("callAsync must not block");
    });
    limiter.tryAcquire();
    CompletionStage<String> stage = limiter.callAsync(() -> CompletableFuture.completedFuture(action()));
    assertThat(stage.toCompletableFuture().get()).isEqualTo("done");
    assertThat(scheduler.delays).containsExactly(100 * MS);
  }

  @Test
  void aDelayedAsyncActionRunsOffTheTimerThread() throws Exception {
    ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> new Thread(r, "test-timer"));
    try {
      RateLimiter limiter = RateLimiter.builder()
          .name("timer").capacity(1).refill(100, Duration.ofSeconds(1)).maxWait(Duration.ofSeconds(5))
          .ticker(now::read).scheduler(timer).build(); // the clock stands still: the permit stays 10 ms away
      limiter.tryAcquire();
      CompletionStage<String> stage = limiter.callAsync(
          () -> CompletableFuture.completedFuture(Thread.currentThread().getName()));
      // The permit is 10 ms away, so the action waits on the timer; it must not run there.
      assertThat(stage.toCompletableFuture().get(5, TimeUnit.SECONDS)).isNotEqualTo("test-timer");
      assertThat(timer.getTaskCount()).isEqualTo(1); // scheduled once; counted when scheduled, not when done
    } finally {
      timer.shutdownNow();
    }
  }

  @Test
  void callAsyncWaitsBeyondTheReservationHorizonInTwoSteps() throws Exception {
    RateLimiter limiter = RateLimiter.builder()
        .name("slow").capacity(1).refill(1, Duration.ofHours(1)).maxWait(Duration.ofHours(2))
        .ticker(now::read).scheduler(new ScheduledThreadPoolExecutor(1) {
          @Override
          public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
            scheduler.delays.add(unit.toNanos(delay));
            now.advanceNanos(unit.toNanos(delay)); // the delay passes on the manual clock
            command.run();
            return null;
          }
        }).build();
    limiter.tryAcquire();
    CompletionStage<String> stage = limiter.callAsync(() -> CompletableFuture.completedFuture(action()));
    assertThat(stage.toCompletableFuture().get()).isEqualTo("done");
    assertThat(scheduler.delays).containsExactly(Duration.ofMinutes(59).toNanos(), Duration.ofMinutes(1).toNanos());
  }

  @Test
  void callAsyncTurnsEveryFailureIntoAFailedStage() {
    RateLimiter limiter = RateLimiter.builder().capacity(5).ticker(now::read).build();
    CompletableFuture<String> thrown = limiter.<String>callAsync(() -> {
      throw new IllegalStateException("sync failure");
    }).toCompletableFuture();
    assertThat(thrown).isCompletedExceptionally();
    CompletableFuture<String> failed =
        limiter.<String>callAsync(() -> CompletableFuture.failedFuture(new IOException("async"))).toCompletableFuture();
    assertThat(failed).isCompletedExceptionally();
    CompletableFuture<String> nullStage = limiter.<String>callAsync(() -> null).toCompletableFuture();
    assertThatThrownBy(nullStage::get).cause().isInstanceOf(NullPointerException.class);
  }

  @Test
  void callAsyncFailsTheStageWhenTheSchedulerIsShutDown() {
    ScheduledThreadPoolExecutor dead = new ScheduledThreadPoolExecutor(1);
    dead.shutdownNow();
    RateLimiter limiter = RateLimiter.builder()
        .capacity(1).maxWait(Duration.ofSeconds(1)).ticker(now::read).scheduler(dead).build();
    limiter.tryAcquire();
    CompletableFuture<String> stage =
        limiter.callAsync(() -> CompletableFuture.completedFuture(action())).toCompletableFuture();
    assertThatThrownBy(stage::get).cause().isInstanceOf(RejectedExecutionException.class);
    assertThat(invocations).hasValue(0);
  }

  @Test
  void worksInsideAPipeline() throws Exception {
    RateLimiter limiter = limiter(Duration.ZERO, sleeps::add);
    Policy policy = Pipeline.of(limiter);
    assertThat(policy.call(this::action)).isEqualTo("done");
    assertThatThrownBy(() -> policy.call(this::action)).isInstanceOf(RateLimitExceededException.class);
  }
}
