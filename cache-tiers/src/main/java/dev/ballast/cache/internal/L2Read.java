package dev.ballast.cache.internal;

/**
 * What a Redis read of one entry found, typed: the planner decides on it without sentinels. An entry
 * this version reads is a {@link Decoded}.
 *
 * @param <V> value type
 */
sealed interface L2Read<V> permits L2Read.Down, L2Read.Interrupted, L2Read.Absent, L2Read.Unreadable,
    Decoded {

  /** Redis could not be asked (failed, timed out, breaker open). */
  record Down<V>() implements L2Read<V> {}

  /**
   * The caller's thread was interrupted while it waited for the reply (its flag is set again): not an
   * outage, and nothing is known about the entry.
   */
  record Interrupted<V>() implements L2Read<V> {}

  /** No entry. */
  record Absent<V>() implements L2Read<V> {}

  /**
   * An entry this version cannot read (corrupt, another value format): a miss, counted; {@code writeMs}
   * is its header's write time (-1 if even that does not parse), so the lease script can tell it from a
   * later fill.
   */
  record Unreadable<V>(long writeMs) implements L2Read<V> {}

  /** The Redis reply {@code bytes} (null for none), read with {@code reader}. */
  static <V> L2Read<V> of(byte[] bytes, EntryReader<V> reader) {
    if (bytes == null) {
      return new Absent<>();
    }
    Decoded<V> entry = reader.decode(bytes);
    return entry != null ? entry : new Unreadable<>(Header.writeMs(bytes));
  }
}
