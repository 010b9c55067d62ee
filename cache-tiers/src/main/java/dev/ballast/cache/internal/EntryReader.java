package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import java.time.Duration;
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
    Header.Parsed parsed = Header.parse(bytes);
    if (parsed == null) {
      corrupt("unknown format");
      return null;
    }
    V value = null;
    if (parsed.payload() != null) {
      try {
        value = codec.decode(parsed.payload());
      } catch (RuntimeException e) {
        corrupt(e.toString());
        return null;
      }
      if (value == null) {
        corrupt("codec returned null");
        return null;
      }
    }
    return new Decoded<>(value, parsed.writeMs(), parsed.softMs(), parsed.hardMs(), parsed.loadMs());
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
