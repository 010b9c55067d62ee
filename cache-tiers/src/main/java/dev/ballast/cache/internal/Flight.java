package dev.ballast.cache.internal;

import dev.ballast.cache.CacheLoadException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One load of one key in this JVM; concurrent callers of the key wait on it. It also guards the L1 store
 * at its end: an invalidation of the key (local write or remote message) sets {@link #invalidated}, and a
 * clear of all of L1 bumps the cache's epoch, so a load that began before either never leaves its older
 * value in L1. The invalidator sets the flag before evicting, the loader stores before reading the flag:
 * with volatile accesses one of the two always sees the other (see {@code DefaultTieredCache.storeL1}).
 */
final class Flight<V> extends CompletableFuture<V> {

  final long epoch;
  volatile boolean invalidated;

  Flight(long epoch) {
    this.epoch = epoch;
  }

  /** Waits for this load's value, rethrowing its failure as the leader's {@code get} would throw it. */
  V await() {
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
}
