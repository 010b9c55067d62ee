package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Redis bytes into a {@link Decoded} entry. Bytes that do not parse (corrupt, another format
 * version) or that the codec rejects are a counted miss and at most one log line a minute per cache,
 * never an exception. Thread-safe: the only state is the time of the last log line (CAS).
 */
final class EntryReader<V> {

  private static final Logger log = LoggerFactory.getLogger(EntryReader.class);
  private static final long LOG_EVERY_NANOS = Duration.ofMinutes(1).toNanos();

  private final String cache;
  private final Codec<V> codec;
  private final CacheMeters meters;
  private final AtomicLong lastLog = new AtomicLong(Long.MIN_VALUE);

  EntryReader(String cache, Codec<V> codec, CacheMeters meters) {
    this.cache = cache;
    this.codec = codec;
    this.meters = meters;
  }

  /** The entry, or null if the bytes are not one this version can read. */
  Decoded<V> decode(byte[] bytes) {
    int at = Header.scan(bytes); // no allocation: the L2 hit path
    if (at == Header.INVALID) {
      corrupt("unknown format");
      return null;
    }
    V value = null;
    if (at != Header.ABSENT) {
      try {
        value = codec.decode(Arrays.copyOfRange(bytes, at, bytes.length));
      } catch (RuntimeException e) {
        corrupt(e.toString());
        return null;
      }
      if (value == null) {
        corrupt("codec returned null");
        return null;
      }
    }
    return new Decoded<>(value, Header.number(bytes, 0), Header.number(bytes, 1), Header.number(bytes, 2),
        Header.number(bytes, 3));
  }

  private void corrupt(String why) {
    meters.corrupt.increment();
    logRarely("Cache {} found bytes in Redis it cannot read ({}); treated as a miss", why);
  }

  /** Logs at most one line a minute for this cache, whatever the rate of the event. */
  void logRarely(String message, Object detail) {
    long now = System.nanoTime();
    long last = lastLog.get();
    if ((last == Long.MIN_VALUE || now - last >= LOG_EVERY_NANOS) && lastLog.compareAndSet(last, now)) {
      log.warn(message, cache, detail);
    }
  }
}
