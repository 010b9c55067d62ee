package dev.ballast.cache.internal;

import dev.ballast.cache.CacheLoadException;
import dev.ballast.core.internal.SharedScheduler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One load of one key in this JVM; concurrent callers of the key wait on it. It also guards the L1 store
 * at its end: an invalidation of the key (local write or remote message) sets {@link #invalidated}, and a
 * clear of all of L1 bumps the cache's epoch, so a load that began before either never leaves its older
 * value in L1. The invalidator sets the flag before evicting, the loader stores before reading the flag:
 * with volatile accesses one of the two always sees the other (see {@link L1Store#store}).
 *
 * <p>A flight is this JVM's lease on the key: it is taken over ({@link L1Store#takeOver}) once it is
 * {@code maxLeaseWait} old, as another instance takes over an expired Redis lease, so a load that hangs
 * holds its callers for a bounded time. {@link #startedNanos} is real time ({@code System.nanoTime}):
 * waits are real, whatever ticker the cache reads for expiry.
 */
final class Flight<V> extends CompletableFuture<V> {

  /** For {@link #joinAsync}: no timer (the caller's own load, each of whose steps is bounded). */
  static final long UNBOUNDED = Long.MAX_VALUE;

  final long epoch;
  final long startedNanos = System.nanoTime();
  volatile boolean invalidated;

  Flight(long epoch) {
    this.epoch = epoch;
  }

  /**
   * Waits up to {@code nanos} for this load to end; returns whether it did.
   *
   * @throws CacheLoadException caused by an {@link InterruptedException} if the thread is interrupted
   *     (its interrupt flag is set again)
   */
  boolean awaitFor(long nanos, String cache, Object key) {
    if (isDone()) {
      return true;
    }
    if (nanos <= 0) {
      return false;
    }
    try {
      get(nanos, TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException | CompletionException e) {
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw interrupted(cache, key, e);
    }
  }

  /** The outcome of this completed load, thrown as the leader's {@code get} would throw it. */
  V result() {
    try {
      return join();
    } catch (CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      // A checked failure: the flight was led by an asynchronous loader, whose failures are kept unwrapped.
      throw new CacheLoadException("TieredCache loader failed", cause);
    }
  }

  /** Completes this flight with {@code earlier}'s outcome if it comes first (a taken-over load that ends). */
  void firstOf(Flight<V> earlier) {
    earlier.whenComplete((value, error) -> {
      if (error == null) {
        complete(value);
      } else {
        completeExceptionally(error);
      }
    });
  }

  /**
   * This flight's outcome for an asynchronous caller, completed on {@code executor}, failed with a
   * {@link CacheLoadException} (caused by a {@link TimeoutException}) if it has not come within
   * {@code nanos}. Holds no thread: a timer.
   */
  CompletableFuture<V> joinAsync(long nanos, String cache, Object key, Executor executor) {
    CompletableFuture<V> joined = new CompletableFuture<>();
    if (isDone()) {
      // Completed already: the caller's thread completes its future, as an L1 hit does.
      executor = Runnable::run;
    }
    ScheduledFuture<?> timer = isDone() || nanos == UNBOUNDED ? null : SharedScheduler.get().schedule(
        () -> joined.completeExceptionally(timedOut(cache, key, nanos)), nanos, TimeUnit.NANOSECONDS);
    // On the executor: what the caller chains on its future must not run on a Redis client's I/O thread,
    // which may be the one that completed this flight.
    whenCompleteAsync((value, error) -> {
      if (timer != null) {
        timer.cancel(false);
      }
      if (error == null) {
        joined.complete(value);
      } else {
        joined.completeExceptionally(error instanceof CompletionException && error.getCause() != null
            ? error.getCause() : error);
      }
    }, executor);
    return joined;
  }

  static CacheLoadException interrupted(String cache, Object key, InterruptedException e) {
    return new CacheLoadException("TieredCache[" + cache + "] was interrupted while waiting for the load of "
        + what(key), e);
  }

  /** For the callers of a load whose leader stopped before it had an outcome (a bulk call that failed early). */
  static CacheLoadException abandoned(String cache, Object key) {
    return new CacheLoadException("TieredCache[" + cache + "]: the load of key " + key
        + " this call joined ended without a value", null);
  }

  static CacheLoadException timedOut(String cache, Object key, long nanos) {
    return new CacheLoadException("TieredCache[" + cache + "] waited " + nanos / 1_000_000
        + " ms for the load of " + what(key) + " and gave up", new TimeoutException("load of " + what(key)
        + " still running"));
  }

  private static String what(Object key) {
    return key == null ? "its keys" : "key " + key;
  }
}
