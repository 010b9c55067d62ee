package dev.ballast.cache.internal;

import dev.ballast.cache.BulkLoader;
import dev.ballast.cache.Codec;
import dev.ballast.core.Ticker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * {@code getAll}: L1 for each key, then one {@code MGET} for the rest, then one lease script per key still
 * missing (pipelined: sent together, one round trip), then one call to the bulk loader, then one fill
 * per loaded key (written only where the lease is still ours). Keys already being loaded in this JVM are
 * awaited instead. Stateless beyond its collaborators; thread-safe as they are.
 */
final class BulkGet<K, V> {

  private static final byte[] EMPTY = new byte[0];

  private final L1Store<K, V> l1;
  private final RedisTier tier;
  private final KeySpace keys;
  private final EntryReader<V> reader;
  private final Codec<K> keyCodec;
  private final Codec<V> valueCodec;
  private final Ttls ttls;
  private final Ticker ticker;
  private final CacheMeters meters;
  private final long leaseMs;
  private final int maxEncodedSize;
  private final Function<Throwable, RuntimeException> loadFailure;
  private final String cacheName;
  private final long flightWaitNanos;

  BulkGet(L1Store<K, V> l1, RedisTier tier, KeySpace keys, EntryReader<V> reader, Codec<K> keyCodec,
      Codec<V> valueCodec, Ttls ttls, Ticker ticker, CacheMeters meters, long leaseMs, int maxEncodedSize,
      Function<Throwable, RuntimeException> loadFailure, String cacheName, long flightWaitNanos) {
    this.l1 = l1;
    this.tier = tier;
    this.keys = keys;
    this.reader = reader;
    this.keyCodec = keyCodec;
    this.valueCodec = valueCodec;
    this.ttls = ttls;
    this.ticker = ticker;
    this.meters = meters;
    this.leaseMs = leaseMs;
    this.maxEncodedSize = maxEncodedSize;
    this.loadFailure = loadFailure;
    this.cacheName = cacheName;
    this.flightWaitNanos = flightWaitNanos;
  }

  Map<K, V> getAll(Collection<? extends K> requested, BulkLoader<? super K, ? extends V> loader,
      Function<K, NullPointerException> nullKey) {
    long arrived = System.nanoTime();
    Map<K, V> result = new LinkedHashMap<>();
    Map<K, Flight<V>> mine = new LinkedHashMap<>();
    Map<K, Flight<V>> joined = new LinkedHashMap<>();
    for (K key : requested) {
      if (key == null) {
        throw nullKey.apply(null);
      }
      L1Entry<V> entry = l1.getIfPresent(key);
      if (l1.servable(entry)) {
        meters.l1Hits.increment();
        if (entry.value != null) {
          result.put(key, entry.value);
        }
        continue;
      }
      if (mine.containsKey(key) || joined.containsKey(key)) {
        continue;
      }
      meters.l1Misses.increment();
      Flight<V> flight = l1.newFlight();
      Flight<V> running = l1.register(key, flight);
      if (running != null) {
        joined.put(key, running);
      } else {
        mine.put(key, flight);
      }
    }
    try {
      if (!mine.isEmpty()) {
        load(mine, loader, result);
      }
    } catch (RuntimeException | Error e) {
      mine.values().forEach(f -> f.completeExceptionally(e));
      throw e;
    } finally {
      mine.forEach(l1::finish);
    }
    for (Map.Entry<K, Flight<V>> e : joined.entrySet()) {
      // A load of another caller: waited for as a blocking get waits (twice maxLeaseWait at most).
      if (!e.getValue().awaitFor(2 * flightWaitNanos - (System.nanoTime() - arrived), cacheName, e.getKey())) {
        throw Flight.timedOut(cacheName, e.getKey(), 2 * flightWaitNanos);
      }
      V value = e.getValue().result();
      if (value != null) {
        result.put(e.getKey(), value);
      }
    }
    return result;
  }

  private void load(Map<K, Flight<V>> mine, BulkLoader<? super K, ? extends V> loader, Map<K, V> result) {
    List<K> missing = new ArrayList<>(mine.keySet());
    List<byte[]> encoded = new ArrayList<>(missing.size());
    for (K key : missing) {
      encoded.add(keyCodec.encode(key));
    }
    Map<K, byte[]> tokens = new LinkedHashMap<>();
    if (tier != null) {
      byte[][] valueKeys = new byte[missing.size()][];
      for (int i = 0; i < valueKeys.length; i++) {
        valueKeys[i] = keys.value(encoded.get(i));
      }
      Object got = tier.mget(valueKeys);
      List<K> stillMissing = new ArrayList<>();
      List<byte[]> stillEncoded = new ArrayList<>();
      List<Long> unreadable = new ArrayList<>();
      long now = ticker.read();
      long redisNow = tier.redisNowMs();
      for (int i = 0; i < missing.size(); i++) {
        K key = missing.get(i);
        Object bytes = got == RedisTier.DOWN ? null : ((List<?>) got).get(i);
        Decoded<V> found = bytes == null ? null : reader.decode((byte[]) bytes);
        if (found != null && found.softMs() > redisNow) {
          meters.l2Hits.increment();
          complete(mine.get(key), key, l1.storeDecoded(key, mine.get(key), found, now, redisNow), result);
        } else {
          stillMissing.add(key);
          stillEncoded.add(encoded.get(i));
          unreadable.add(bytes != null && found == null ? Header.writeMs((byte[]) bytes) : -1L);
        }
      }
      if (got == RedisTier.DOWN) {
        meters.l2Unavailable.increment();
      } else {
        meters.l2Misses.add(stillMissing.size());
        takeLeases(stillMissing, stillEncoded, unreadable, tokens, mine, result);
        // Keys another instance filled between the MGET and the lease script are done already.
        for (int i = stillMissing.size() - 1; i >= 0; i--) {
          if (mine.get(stillMissing.get(i)).isDone()) {
            stillMissing.remove(i);
            stillEncoded.remove(i);
          }
        }
      }
      missing = stillMissing;
      encoded = stillEncoded;
    }
    if (!missing.isEmpty()) {
      loadAndFill(missing, encoded, tokens, mine, loader, result);
    }
  }

  private void loadAndFill(List<K> missing, List<byte[]> encoded, Map<K, byte[]> tokens, Map<K, Flight<V>> mine,
      BulkLoader<? super K, ? extends V> loader, Map<K, V> result) {
    long start = ticker.read();
    Map<? super K, ? extends V> loaded;
    try {
      loaded = loader.loadAll(new LinkedHashSet<>(missing));
      meters.loaded(ticker.read() - start, true);
    } catch (Throwable e) {
      meters.loaded(ticker.read() - start, false);
      for (int i = 0; i < missing.size(); i++) {
        byte[] token = tokens.get(missing.get(i));
        if (token != null) {
          tier.release(keys.lease(encoded.get(i)), token);
        }
      }
      throw loadFailure.apply(e);
    }
    long loadMs = (ticker.read() - start) / 1_000_000;
    for (int i = 0; i < missing.size(); i++) {
      K key = missing.get(i);
      V value = loaded == null ? null : loaded.get(key);
      Flight<V> flight = mine.get(key);
      byte[] token = tokens.get(key);
      byte[] leaseKey = token == null ? null : keys.lease(encoded.get(i));
      long now = ticker.read();
      boolean absent = value == null;
      if (absent && !ttls.cachesAbsence()) {
        if (token != null) {
          tier.release(leaseKey, token);
        }
        complete(flight, key, null, result);
        continue;
      }
      long softMs = ttls.softMs(absent);
      long hardMs = ttls.hardMs(softMs, absent);
      boolean storeLocally = true;
      if (token != null) {
        byte[] payload = absent ? EMPTY : valueCodec.encode(value);
        if (payload.length > maxEncodedSize) {
          meters.oversize.increment();
          tier.release(leaseKey, token);
        } else {
          Object written = tier.write(keys.value(encoded.get(i)), leaseKey, token, softMs, hardMs, loadMs, absent,
              payload);
          if (Boolean.FALSE.equals(written)) {
            meters.fillsRejected.increment();
            storeLocally = false;
          } else if (Boolean.TRUE.equals(written)) {
            meters.l2Puts.increment();
          }
        }
      }
      if (storeLocally) {
        l1.store(key, flight, value, now, now + softMs * 1_000_000, now + hardMs * 1_000_000);
      }
      complete(flight, key, value, result);
    }
  }

  /**
   * One lease script per key, all sent before any reply is read. A key whose value appeared meanwhile is
   * completed with it; a key whose lease another instance holds is loaded here too, but not written.
   */
  private void takeLeases(List<K> missing, List<byte[]> encoded, List<Long> unreadable, Map<K, byte[]> tokens,
      Map<K, Flight<V>> mine, Map<K, V> result) {
    List<CompletableFuture<List<Object>>> replies = new ArrayList<>(missing.size());
    List<byte[]> candidates = new ArrayList<>(missing.size());
    for (int i = 0; i < encoded.size(); i++) {
      byte[] encodedKey = encoded.get(i);
      long unreadableMs = unreadable.get(i);
      byte[] token = KeySpace.token();
      candidates.add(token);
      replies.add(tier.guard().callAsync(
          () -> tier.leaseAsync(keys.value(encodedKey), keys.lease(encodedKey), token, leaseMs, false, unreadableMs),
          () -> null).toCompletableFuture());
    }
    for (int i = 0; i < missing.size(); i++) {
      List<Object> reply;
      try {
        reply = tier.await(replies.get(i));
      } catch (RuntimeException e) {
        continue;
      }
      if (reply == null) {
        continue;
      }
      RedisTier.LeaseReply lease = tier.leaseReply(reply);
      K key = missing.get(i);
      if (lease.kind() == RedisTier.LeaseKind.ACQUIRED) {
        tokens.put(key, candidates.get(i));
      } else if (lease.kind() == RedisTier.LeaseKind.VALUE) {
        Decoded<V> found = reader.decode(lease.value());
        if (found != null) {
          Flight<V> flight = mine.get(key);
          complete(flight, key, l1.storeDecoded(key, flight, found, ticker.read(), tier.redisNowMs()), result);
        }
      }
    }
  }

  private static <K, V> void complete(Flight<V> flight, K key, V value, Map<K, V> result) {
    flight.complete(value);
    if (value != null) {
      result.put(key, value);
    }
  }
}
