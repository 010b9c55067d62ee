package dev.ballast.cache.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The entry format in Redis: an ASCII header written by {@code write.lua} with Redis's own clock, then the
 * codec's bytes: {@code BC1:<write ms>:<soft expiry ms>:<hard expiry ms>:<load ms>:<V|N>\n<payload>}.
 * ASCII so that {@code redis-cli GET} shows it and Lua can read the soft expiry without a binary library;
 * the {@code BC1} tag versions the format: anything else is an unknown format, treated as corrupt.
 */
final class Header {

  static final byte[] MAGIC = "BC1:".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER = 96;

  /** A parsed entry; {@code payload} is null for a cached absence. */
  record Parsed(long writeMs, long softMs, long hardMs, long loadMs, byte[] payload) {}

  private Header() {}

  /** The write time of a {@code BC1} entry, whether or not the rest of it parses; else -1. */
  static long writeMs(byte[] bytes) {
    // As leniently as lease.lua reads it: the digits after the tag, whatever follows.
    if (bytes == null || bytes.length <= MAGIC.length) {
      return -1;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return -1;
      }
    }
    long value = 0;
    int pos = MAGIC.length;
    while (pos < bytes.length && pos - MAGIC.length < 18 && bytes[pos] >= '0' && bytes[pos] <= '9') {
      value = value * 10 + (bytes[pos] - '0');
      pos++;
    }
    return pos > MAGIC.length && pos < bytes.length && bytes[pos] == ':' ? value : -1;
  }

  /** {@link #scan}'s answer for a cached absence ({@code N}). */
  static final int ABSENT = -1;
  /** {@link #scan}'s answer for bytes that are not an entry in a format this version knows. */
  static final int INVALID = -2;

  /** Parses {@code bytes}, or returns null if they are not an entry in a format this version knows. */
  static Parsed parse(byte[] bytes) {
    int at = scan(bytes);
    if (at == INVALID) {
      return null;
    }
    return new Parsed(number(bytes, 0), number(bytes, 1), number(bytes, 2), number(bytes, 3),
        at == ABSENT ? null : Arrays.copyOfRange(bytes, at, bytes.length));
  }

  /**
   * Checks {@code bytes} without allocating (the L2 hit path): the index where the payload starts,
   * {@link #ABSENT} for a cached absence, or {@link #INVALID}. The numbers are then read with
   * {@link #number}.
   */
  static int scan(byte[] bytes) {
    if (bytes == null || bytes.length < MAGIC.length + 10) {
      return INVALID;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return INVALID;
      }
    }
    long write = 0;
    long soft = 0;
    int pos = MAGIC.length;
    for (int n = 0; n < 4; n++) {
      long value = 0;
      int start = pos;
      while (pos < bytes.length && pos < MAX_HEADER && bytes[pos] >= '0' && bytes[pos] <= '9') {
        value = value * 10 + (bytes[pos] - '0');
        pos++;
      }
      if (pos == start || pos - start > 18 || pos >= bytes.length || bytes[pos] != ':') {
        return INVALID;
      }
      if (n == 0) {
        write = value;
      } else if (n == 1) {
        if (value < write) {
          return INVALID;
        }
        soft = value;
      } else if (n == 2 && value < soft) {
        return INVALID;
      }
      pos++;
    }
    if (pos + 1 >= bytes.length || bytes[pos + 1] != '\n') {
      return INVALID;
    }
    if (bytes[pos] == 'V') {
      return pos + 2;
    }
    return bytes[pos] == 'N' && pos + 2 == bytes.length ? ABSENT : INVALID;
  }

  /** The {@code n}th number of a header {@link #scan} accepted (0: write, 1: soft, 2: hard, 3: load ms). */
  static long number(byte[] bytes, int n) {
    int pos = MAGIC.length;
    for (int skipped = 0; skipped < n; pos++) {
      if (bytes[pos] == ':') {
        skipped++;
      }
    }
    long value = 0;
    while (bytes[pos] != ':') {
      value = value * 10 + (bytes[pos++] - '0');
    }
    return value;
  }
}
