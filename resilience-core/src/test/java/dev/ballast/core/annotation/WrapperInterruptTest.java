package dev.ballast.core.annotation;

import dev.ballast.core.annotation.spi.AnnotationHandler;
import dev.ballast.core.annotation.spi.InterceptorOrder;
import dev.ballast.core.annotation.spi.MethodInterceptor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.Registry;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What a wrapped method's caller sees when a policy throws a checked exception the method does not declare. */
class WrapperInterruptTest {

  public interface Quota {
    @RateLimited("quota")
    String fetch(String id);

    @RateLimited("quota")
    String fetchOrStop(String id) throws InterruptedException;

    String plain(String id);
  }

  static final class CountingQuota implements Quota {
    final AtomicInteger calls = new AtomicInteger();

    @Override
    public String fetch(String id) {
      calls.incrementAndGet();
      return id;
    }

    @Override
    public String fetchOrStop(String id) {
      calls.incrementAndGet();
      return id;
    }

    @Override
    public String plain(String id) {
      calls.incrementAndGet();
      return id;
    }
  }

  /** One permit an hour, and callers may wait two hours for one: after the first call, every call waits. */
  private final dev.ballast.core.RateLimiter limiter = dev.ballast.core.RateLimiter.builder().name("quota")
      .capacity(1).refill(1, Duration.ofHours(1)).maxWait(Duration.ofHours(2)).build();
  private final CountingQuota target = new CountingQuota();
  private final Quota quota = Wrapper.wrap(Quota.class, target, Registry.builder().add("quota", limiter).build());

  @AfterEach
  void clearInterrupt() {
    Thread.interrupted(); // never leak a set flag into the next test
  }

  @Test
  void anInterruptedWaitUnderAMethodThatCannotThrowItKeepsTheFlagAndSaysWhy() {
    assertThat(limiter.tryAcquire()).isTrue(); // the only permit: the next call must wait

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> quota.fetch("a"))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("Quota.fetch was interrupted")
        .hasCauseInstanceOf(InterruptedException.class);

    assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag after the call").isTrue();
    assertThat(target.calls).hasValue(0);
  }

  @Test
  void anotherThreadInterruptingTheWaitIsSeenTheSameWay() throws Exception {
    assertThat(limiter.tryAcquire()).isTrue();
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    AtomicBoolean flagAfterCall = new AtomicBoolean();
    Thread caller = new Thread(() -> {
      try {
        quota.fetch("b");
      } catch (Throwable t) {
        thrown.set(t);
      }
      flagAfterCall.set(Thread.currentThread().isInterrupted());
    }, "waiting-caller");
    caller.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (caller.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
      Thread.onSpinWait(); // until the caller sleeps in the limiter's wait
    }
    assertThat(caller.getState()).isEqualTo(Thread.State.TIMED_WAITING);

    caller.interrupt();
    caller.join(TimeUnit.SECONDS.toMillis(10));

    assertThat(caller.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(CancellationException.class)
        .hasCauseInstanceOf(InterruptedException.class);
    assertThat(flagAfterCall).isTrue();
    assertThat(target.calls).hasValue(0);
  }

  @Test
  void aMethodThatDeclaresInterruptedExceptionGetsItAsItIs() {
    assertThat(limiter.tryAcquire()).isTrue();

    Thread.currentThread().interrupt();
    assertThatThrownBy(() -> quota.fetchOrStop("c")).isExactlyInstanceOf(InterruptedException.class);
    assertThat(target.calls).hasValue(0);
  }

  @Test
  void otherUndeclaredCheckedExceptionsKeepTheJdkBehaviour() {
    AnnotationHandler failing = new AnnotationHandler() {
      @Override
      public int order() {
        return InterceptorOrder.FEATURE;
      }

      @Override
      public MethodInterceptor interceptorFor(java.lang.reflect.Method method, Registry registry) {
        return invocation -> {
          throw new IOException("disk full");
        };
      }
    };
    Quota wrapped = Wrapper.wrap(Quota.class, target, Registry.builder().build(), List.of(failing));

    assertThatThrownBy(() -> wrapped.plain("d"))
        .isInstanceOf(UndeclaredThrowableException.class)
        .hasCauseInstanceOf(IOException.class);
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
