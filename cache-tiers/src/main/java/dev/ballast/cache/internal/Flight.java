package dev.ballast.cache.internal;

import java.util.concurrent.CompletableFuture;

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
}
