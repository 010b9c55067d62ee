package dev.ballast.degradation.internal;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Bounded, interruptible waits on Lettuce futures outside the guarded call path (subscribing, closing). */
final class Waits {

  private Waits() {}

  /**
   * Waits at most {@code timeout} for {@code future}.
   *
   * @throws IllegalStateException naming {@code what} if it failed, took longer, or the thread was interrupted
   *     (the interrupt flag is kept; the future is cancelled)
   */
  static <T> T get(CompletableFuture<T> future, Duration timeout, String what) {
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new IllegalStateException(what + ": interrupted", e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new IllegalStateException(what + ": no answer within " + timeout, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(what + ": " + e.getCause(), e.getCause());
    }
  }
}
