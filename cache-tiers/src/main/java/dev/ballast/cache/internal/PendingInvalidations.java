package dev.ballast.cache.internal;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The invalidations Redis did not take (a put or invalidate while it was down, slow or refusing), kept
 * until they are replayed: each key's delete in Redis, then its message to the other instances. Bounded:
 * past {@code maxKeys} the keys are dropped (counted) for one "everything" entry, replayed as
 * {@code invalidateAll}, so a write is never silently lost, only widened.
 *
 * <p>Shared state: the key map and the "everything" flag, guarded by {@code this}; writes during an outage
 * are not a hot path. {@link #isEmpty()} reads one volatile count without the lock, so the read path's
 * check costs nothing while nothing is pending. Each key remembers the sequence number of its latest
 * deferral, so a replay that ran while the same key was deferred again does not forget the newer one.
 *
 * <p>What is pending blocks Redis reads of those keys only ({@link #blocks}): Redis may still hold the
 * values these writes replaced. Every other key reads as usual (before, one deferred write blocked every
 * read of the instance, so a spared origin turned Redis hits into errors until the replay).
 */
final class PendingInvalidations {

  /** A snapshot to replay: keys (codec bytes) with their sequence numbers, and whether to replay everything. */
  record Batch(List<byte[]> keys, long[] sequences, boolean everything, long everythingSequence) {
    boolean isEmpty() {
      return keys.isEmpty() && !everything;
    }
  }

  private final int maxKeys;
  private final CacheMeters meters;
  private final UnaryOperator<byte[]> readKey;
  private final Map<ByteBuffer, Long> keys = new LinkedHashMap<>();
  /** The Redis keys reads of the pending keys would ask ({@code readKey} of each). */
  private final Set<ByteBuffer> blockedReads = new HashSet<>();
  private boolean everything;
  private long everythingSequence;
  private long sequence;
  private volatile int pending;

  /**
   * @param readKey the Redis key a read of an encoded key asks (its value key)
   */
  PendingInvalidations(int maxKeys, CacheMeters meters, UnaryOperator<byte[]> readKey) {
    this.maxKeys = maxKeys;
    this.meters = meters;
    this.readKey = readKey;
  }

  /**
   * Whether a read of {@code redisKey} must not ask Redis now: its key's write waits to be replayed, or
   * an "everything" does. Lock-free while nothing is pending.
   */
  boolean blocks(byte[] redisKey) {
    if (pending == 0) {
      return false;
    }
    synchronized (this) {
      return everything || blockedReads.contains(ByteBuffer.wrap(redisKey));
    }
  }

  /** Nothing waits to be replayed. Lock-free. */
  boolean isEmpty() {
    return pending == 0;
  }

  /** How many entries wait (keys, plus one for "everything"). */
  int size() {
    return pending;
  }

  /** Keeps the key's invalidation for replay. */
  synchronized void add(byte[] encodedKey) {
    meters.invalidationsDeferred.increment();
    if (everything) {
      // Already covered by the pending "everything"; a later replay of it deletes this key too.
      everythingSequence = ++sequence;
      update();
      return;
    }
    keys.put(ByteBuffer.wrap(encodedKey.clone()), ++sequence);
    blockedReads.add(ByteBuffer.wrap(readKey.apply(encodedKey)));
    if (keys.size() > maxKeys) {
      meters.invalidationsDropped.add(keys.size());
      keys.clear();
      blockedReads.clear();
      everything = true;
      everythingSequence = sequence;
    }
    update();
  }

  /** Keeps an invalidation of every key (which makes the single keys redundant). */
  synchronized void addAll() {
    meters.invalidationsDeferred.increment();
    keys.clear();
    blockedReads.clear();
    everything = true;
    everythingSequence = ++sequence;
    update();
  }

  /** A put of the key reached Redis: its older value is gone, so its pending delete may go. */
  synchronized void applied(byte[] encodedKey) {
    if (keys.remove(ByteBuffer.wrap(encodedKey)) != null) {
      blockedReads.remove(ByteBuffer.wrap(readKey.apply(encodedKey)));
      update();
    }
  }

  synchronized Batch snapshot() {
    List<byte[]> list = new ArrayList<>(keys.size());
    long[] sequences = new long[keys.size()];
    int i = 0;
    for (Map.Entry<ByteBuffer, Long> e : keys.entrySet()) {
      list.add(e.getKey().array());
      sequences[i++] = e.getValue();
    }
    return new Batch(list, sequences, everything, everythingSequence);
  }

  /** Forgets what {@code batch} replayed, unless deferred again since. */
  synchronized void replayed(Batch batch) {
    for (int i = 0; i < batch.keys().size(); i++) {
      ByteBuffer key = ByteBuffer.wrap(batch.keys().get(i));
      if (keys.remove(key, batch.sequences()[i])) {
        blockedReads.remove(ByteBuffer.wrap(readKey.apply(batch.keys().get(i))));
        meters.invalidationsReplayed.increment();
      }
    }
    if (batch.everything() && everything && everythingSequence == batch.everythingSequence()) {
      everything = false;
      meters.invalidationsReplayed.increment();
    }
    update();
  }

  private void update() {
    pending = keys.size() + (everything ? 1 : 0);
  }
}
